import { ManualClock, Symbol } from '@books/core';
import { type FakeActivityRow, FakeAlpacaServer } from '@books/testkit';
import {
  AlpacaBroker,
  AlpacaKeys,
  MalformedBrokerPayload,
  type NonTradeActivity,
  parseAlpacaConfig,
} from '../../src';
import { capturingLogger } from '../support/logs';
import { CONTRACT_NOW, CONTRACT_WORLD } from '../support/world';

const KEY_ID = 'PKACTS0001';
const SECRET = 'activities-secret';

async function setup() {
  const clock = new ManualClock(CONTRACT_NOW);
  const server = await FakeAlpacaServer.start({
    world: CONTRACT_WORLD,
    clock,
    keyId: KEY_ID,
    secretKey: SECRET,
  });
  const log = capturingLogger('info');
  const broker = new AlpacaBroker(
    parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, timeoutMs: 2_000 }),
    {
      keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
      clock,
      logger: log.logger,
      sleep: async (ms) => clock.advance(ms),
      random: () => 0.5,
    },
  );
  return { server, broker, log };
}

/** The spec's NonTradeActivities example (x-examples example-1). */
const SPEC_DIVIDEND: FakeActivityRow = {
  activity_sub_type: 'SDIV',
  activity_type: 'DIV',
  created_at: '2021-05-10T14:01:04.650275Z',
  currency: 'USD',
  date: '2019-08-01',
  id: '20190801011955195::5f596936-6f23-4cef-bdf1-3806aae57dbf',
  net_amount: '1.02',
  per_share_amount: '0.51',
  qty: '2',
  status: 'executed',
  symbol: 'T',
};

const row = (n: number, fields: Record<string, string>): FakeActivityRow => ({
  id: `2024010${Math.min(9, 1 + Math.floor(n / 100))}000000${String(n).padStart(3, '0')}::00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  activity_type: 'CSD',
  date: '2024-01-02',
  status: 'executed',
  net_amount: '100',
  ...fields,
});

describe('AlpacaBroker.listActivities', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(async () => s.server.close());

  it("reads the spec's example dividend with its amounts, symbol and Alpaca's activity id", async () => {
    s.server.activities.add(SPEC_DIVIDEND);
    const [a] = await s.broker.listActivities();
    expect(a?.kind).toBe('dividend');
    if (a?.kind !== 'dividend') throw new Error('not a dividend');
    expect(a.id).toBe(SPEC_DIVIDEND.id);
    expect(a.symbol).toBe(Symbol('T'));
    expect(a.netAmount.toString()).toBe('1.02');
    expect(a.perShareAmount?.toString()).toBe('0.51');
    expect(a.qty?.toString()).toBe('2');
    expect(a.date).toBe('2019-08-01');
    expect(a.raw).toEqual(SPEC_DIVIDEND);
  });

  it('types splits, name changes, mergers, spin-offs, account cash and stock journals; keeps the rest as unsupported', async () => {
    s.server.activities.add(
      row(1, {
        activity_type: 'SPLIT',
        activity_sub_type: 'FSPLIT',
        symbol: 'NVDA',
        qty: '10',
        net_amount: '0',
        description: '2:1 forward split',
      }),
      row(2, {
        activity_type: 'SPLIT',
        activity_sub_type: 'RSPLIT',
        symbol: 'XYZ',
        qty: '-23',
        net_amount: '12.5',
      }),
      row(3, { activity_type: 'NC', activity_sub_type: 'SNC', symbol: 'META', qty: '5' }),
      row(4, { activity_type: 'MA', activity_sub_type: 'CMA', symbol: 'ATVI', qty: '-3', net_amount: '285' }),
      row(5, { activity_type: 'SPIN', symbol: 'GEHC', qty: '1.5' }),
      row(6, { activity_type: 'CSW', net_amount: '-250' }),
      row(7, { activity_type: 'FEE', activity_sub_type: 'TAF', net_amount: '-0.02', symbol: 'BRK.B' }),
      row(8, { activity_type: 'JNLS', symbol: 'SPY', qty: '2' }),
      row(9, { activity_type: 'ACATS', symbol: 'SPY', qty: '2' }),
      row(10, { activity_type: 'DIV', net_amount: '1' }),
    );
    const all = await s.broker.listActivities();
    const kinds = all.map((a) => a.kind);
    expect(kinds).toEqual([
      'split',
      'split',
      'name_change',
      'merger',
      'spinoff',
      'account_cash',
      'account_cash',
      'stock_journal',
      'unsupported',
      'unsupported',
    ]);
    const forward = all[0] as Extract<NonTradeActivity, { kind: 'split' }>;
    expect([forward.splitType, forward.qtyChange.toString(), forward.ratio]).toEqual([
      'forward',
      '10',
      { to: '2', from: '1' },
    ]);
    const reverse = all[1] as Extract<NonTradeActivity, { kind: 'split' }>;
    expect([
      reverse.splitType,
      reverse.qtyChange.toString(),
      reverse.cashInLieu.toString(),
      reverse.ratio,
    ]).toEqual(['reverse', '-23', '12.5', null]);
    const fee = all[6] as Extract<NonTradeActivity, { kind: 'account_cash' }>;
    expect([fee.cashType, fee.netAmount.toString(), fee.symbol]).toEqual(['FEE', '-0.02', Symbol('BRK/B')]);
    expect((all[9] as Extract<NonTradeActivity, { kind: 'unsupported' }>).reason).toBe(
      'DIV without a symbol',
    );
  });

  it('reads every page, oldest first, asking by page_token for the rows after the last one', async () => {
    const rows = Array.from({ length: 230 }, (_, n) => row(n, { net_amount: String(n + 1) }));
    s.server.activities.add(...[...rows].reverse());
    const all = await s.broker.listActivities();
    expect(all.map((a) => a.id)).toEqual(rows.map((r) => r.id));
    expect(s.server.count('GET /v2/account/activities')).toBe(3);
    const paths = s.server.requests
      .filter((r) => r.route === 'GET /v2/account/activities')
      .map((r) => r.path);
    expect(paths[1]).toContain(`page_token=${encodeURIComponent(rows[99]?.id ?? '')}`);
    expect(paths[0]).toContain('category=non_trade_activity');
  });

  it('asks for the given types only and for activities after the given date', async () => {
    s.server.activities.add(
      row(1, { date: '2024-01-02', created_at: '2024-01-02T12:00:00Z' }),
      row(2, {
        activity_type: 'DIV',
        symbol: 'SPY',
        net_amount: '3',
        date: '2024-03-01',
        created_at: '2024-03-01T12:00:00Z',
      }),
      row(3, {
        activity_type: 'DIV',
        symbol: 'SPY',
        net_amount: '4',
        date: '2024-06-03',
        created_at: '2024-06-03T12:00:00Z',
      }),
    );
    const divs = await s.broker.listActivities({ types: ['DIV'], after: new Date('2024-04-01T00:00:00Z') });
    expect(divs.map((a) => a.id)).toEqual([row(3, {}).id]);
  });

  it('calls a listing malformed when a row has no id, rather than posting a row it could not key', async () => {
    s.server.activities.add({ id: '', activity_type: 'DIV' });
    await expect(s.broker.listActivities()).rejects.toBeInstanceOf(MalformedBrokerPayload);
  });
});
