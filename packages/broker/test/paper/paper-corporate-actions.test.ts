import { ManualClock, Money, Price, Symbol, TradingDate } from '@books/core';
import { AlpacaContract, alpacaSpecPresent, testDynamo, uniqueName } from '@books/testkit';
import {
  DynamoDbPaperBrokerStore,
  InMemoryPaperBrokerStore,
  type NonTradeActivity,
  PaperBroker,
  type PaperBrokerStore,
  type PaperCorporateActions,
  staticAssets,
  staticPrices,
} from '../../src';
import { marketBuy } from '../support/world';

const ACTIONS: PaperCorporateActions = {
  dividends: [
    {
      symbol: 'SPY',
      exDate: '2025-09-19',
      recordDate: '2025-09-19',
      payDate: '2025-10-31',
      amountPerShare: '1.75',
    },
  ],
  splits: [
    { symbol: 'QQQ', exDate: '2025-10-06', from: '1', to: '2' },
    { symbol: 'TLT', exDate: '2025-11-03', from: '10', to: '1' },
  ],
  cash: [
    { date: '2025-08-01', type: 'deposit', amount: '10000' },
    { date: '2025-11-14', type: 'withdrawal', amount: '5000' },
  ],
};

const PRICES = new Map([
  [Symbol('SPY'), Price.parse('500')],
  [Symbol('QQQ'), Price.parse('250')],
  [Symbol('TLT'), Price.parse('900')],
]);

async function brokerOver(store: PaperBrokerStore, sessions: readonly string[] = []) {
  const clock = new ManualClock('2025-08-01T19:30:00Z');
  const broker = new PaperBroker({
    store,
    clock,
    initialCash: Money.parse('1000'),
    prices: staticPrices(PRICES),
    assets: staticAssets([], { tradable: true, fractionable: true }),
    calendar: sessions.map((date) => ({ date: TradingDate(date), open: '09:30', close: '16:00' })),
  });
  await broker.getAccount();
  const { version } = await store.loadAccount();
  await store.commit({
    account: {
      expectedVersion: version,
      next: {
        cash: '1000',
        positions: {
          SPY: { qty: '10', cost: '4000' },
          QQQ: { qty: '10', cost: '2000' },
          TLT: { qty: '25', cost: '2500' },
        },
      },
    },
  });
  return { broker, clock };
}

const summary = (a: NonTradeActivity) => {
  switch (a.kind) {
    case 'dividend':
      return `${a.date} DIV ${a.symbol} ${a.qty} × ${a.perShareAmount} = ${a.netAmount}`;
    case 'split':
      return `${a.date} SPLIT ${a.splitType} ${a.symbol} ${a.qtyChange} in lieu ${a.cashInLieu} ratio ${a.ratio?.to}:${a.ratio?.from}`;
    case 'account_cash':
      return `${a.date} ${a.cashType} ${a.netAmount}`;
    default:
      return `${a.date} ${a.kind}`;
  }
};

function describeCorporateActions(name: string, makeStore: () => Promise<PaperBrokerStore>) {
  describe(`simulated broker corporate actions (${name})`, () => {
    it('applies each action on its date to positions and cash and lists it in Alpaca shape', async () => {
      const store = await makeStore();
      const { broker } = await brokerOver(store);

      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-08-01'));
      expect((await broker.getAccount()).cash.toString()).toBe('11000');

      // Ex date: the dividend's shares are fixed (10 SPY); selling after it does not change them.
      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-09-19'));
      const { version, value } = await store.loadAccount();
      const { SPY: _sold, ...rest } = value.positions;
      await store.commit({ account: { expectedVersion: version, next: { ...value, positions: rest } } });
      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-10-30'));
      expect((await broker.getAccount()).cash.toString()).toBe('11000');

      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-11-14'));
      const positions = await broker.getPositions();
      expect(positions.map((p) => [p.symbol, p.qty.toString(), p.avgEntryPrice.toString()])).toEqual([
        ['QQQ', '20', '100'],
        ['TLT', '2.5', '1000'],
      ]);
      // 11000 + 17.50 dividend − 5000: Alpaca issues the reverse split's half share, no cash in lieu.
      expect((await broker.getAccount()).cash.toString()).toBe('6017.5');

      const listed = await broker.listActivities();
      expect(listed.map(summary)).toEqual([
        '2025-08-01 CSD 10000',
        '2025-10-06 SPLIT forward QQQ 10 in lieu 0 ratio 2:1',
        '2025-10-31 DIV SPY 10 × 1.75 = 17.5',
        '2025-11-03 SPLIT reverse TLT -22.5 in lieu 0 ratio 1:10',
        '2025-11-14 CSW -5000',
      ]);
      expect(new Set(listed.map((a) => a.id)).size).toBe(5);
      expect(listed[2]?.raw).toMatchObject({ activity_type: 'DIV', symbol: 'SPY', net_amount: '17.5' });
      expect((await broker.listActivities({ types: ['SPLIT'] })).map((a) => a.kind)).toEqual([
        'split',
        'split',
      ]);
      expect((await broker.listActivities({ after: TradingDate('2025-11-01') })).length).toBe(2);
    });

    it('applies nothing twice: a repeated day, or a later one, adds no activity', async () => {
      const store = await makeStore();
      const { broker } = await brokerOver(store);
      const first = await broker.applyCorporateActions(ACTIONS, TradingDate('2025-12-31'));
      expect(first).toHaveLength(5);
      const cash = (await broker.getAccount()).cash.toString();
      expect(await broker.applyCorporateActions(ACTIONS, TradingDate('2025-12-31'))).toEqual([]);
      expect(await broker.applyCorporateActions(ACTIONS, TradingDate('2025-11-03'))).toEqual([]);
      expect((await broker.getAccount()).cash.toString()).toBe(cash);
      expect(await broker.listActivities()).toHaveLength(5);
    });

    it('keeps what it applied through a fill: a trade after a deposit does not make it apply again', async () => {
      const store = await makeStore();
      const { broker } = await brokerOver(store, ['2025-08-01']);
      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-08-01'));
      const order = await broker.placeOrder(marketBuy('SPY', '1'));
      expect(order.status).toBe('filled');
      expect(await broker.applyCorporateActions(ACTIONS, TradingDate('2025-08-01'))).toEqual([]);
      // 1000 + 10000 deposit − 500 for the share, the deposit counted once.
      expect((await broker.getAccount()).cash.toString()).toBe('10500');
    });

    it('pays no dividend to an account that held none at the ex date', async () => {
      const store = await makeStore();
      const { broker } = await brokerOver(store);
      const { version, value } = await store.loadAccount();
      await store.commit({ account: { expectedVersion: version, next: { ...value, positions: {} } } });
      const added = await broker.applyCorporateActions(
        { ...ACTIONS, cash: [], splits: [] },
        TradingDate('2025-12-31'),
      );
      expect(added).toEqual([]);
      expect((await broker.getAccount()).cash.toString()).toBe('1000');
    });
  });
}

describeCorporateActions('in memory', async () => new InMemoryPaperBrokerStore());

const stackRunning = (process.env.BOOKS_TEST_DYNAMODB_ENDPOINT ?? '') !== '';
const tableName = uniqueName('paper-corporate-test');
let tableReady: Promise<void> | undefined;
if (stackRunning)
  describeCorporateActions('DynamoDB', async () => {
    const s = new DynamoDbPaperBrokerStore({
      client: testDynamo(),
      tableName,
      accountId: uniqueName('acct'),
    });
    tableReady ??= s.ensureTable();
    await tableReady;
    return s;
  });

// The spec's documents are third-party test data beside the project (../shared): absent, skipped.
(alpacaSpecPresent ? describe : describe.skip)(
  "the simulated broker's activities by Alpaca's contract",
  () => {
    it('lists each dividend, split and cash movement as GET /v2/account/activities answers', async () => {
      const { broker } = await brokerOver(new InMemoryPaperBrokerStore());
      await broker.applyCorporateActions(ACTIONS, TradingDate('2025-12-31'));
      const rows = (await broker.listActivities()).map((a) => a.raw);
      expect(rows).toHaveLength(5);

      const contract = AlpacaContract.load();
      if (!contract) throw new Error('the spec folder is present but could not be loaded');
      expect(contract.checkResponse('GET', '/v2/account/activities', 200, JSON.stringify(rows))).toEqual([]);
      // The check can fail: a row Alpaca would never send is refused.
      const broken = [{ ...(rows[0] as object), activity_type: 'NOT_A_TYPE' }];
      expect(
        contract.checkResponse('GET', '/v2/account/activities', 200, JSON.stringify(broken)),
      ).not.toEqual([]);
    });
  },
);
