import { ManualClock, Symbol, TradingDate } from '@books/core';
import { FakeAlpacaServer, type FakeRoute } from '@books/testkit';
import {
  AlpacaBroker,
  AlpacaKeys,
  type Broker,
  BrokerOrderId,
  BrokerUnavailable,
  MalformedBrokerPayload,
  parseAlpacaConfig,
} from '../../src';
import { capturingLogger } from '../support/logs';
import { CONTRACT_NOW, CONTRACT_WORLD, cid, marketBuy } from '../support/world';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

const ORDER = {
  id: '61e69015-8549-4bfd-b9c3-0000000000b1',
  client_order_id: 't-1',
  symbol: 'SPY',
  side: 'buy',
  type: 'market',
  status: 'filled',
  qty: '1',
  filled_qty: '1',
  filled_avg_price: '500',
  created_at: '2026-11-27T15:00:00Z',
  submitted_at: '2026-11-27T15:00:00Z',
  filled_at: '2026-11-27T15:00:01Z',
};
/** Either stands in for the other (submitted_at may be null before the order is routed). */
const ORDER_TIMES = ['created_at', 'submitted_at'];

interface Case {
  readonly route: FakeRoute;
  readonly endpoint: string;
  readonly call: (broker: Broker) => Promise<unknown>;
  /** A valid payload, and the required fields to take out of it one at a time. */
  readonly payload: Record<string, unknown>;
  readonly required: readonly string[];
  /** How the payload is wrapped on the wire, and the path prefix of its fields in messages. */
  readonly wrap?: (payload: Record<string, unknown>) => unknown;
  readonly prefix?: string;
}

const CASES: readonly Case[] = [
  {
    route: 'GET /v2/account',
    endpoint: 'GET /v2/account',
    call: (b) => b.getAccount(),
    payload: { equity: '1', cash: '1', buying_power: '1' },
    required: ['equity', 'cash', 'buying_power'],
  },
  {
    route: 'GET /v2/positions',
    endpoint: 'GET /v2/positions',
    call: (b) => b.getPositions(),
    payload: {
      asset_class: 'us_equity',
      symbol: 'SPY',
      qty: '1',
      side: 'long',
      avg_entry_price: '500',
      market_value: '500',
    },
    required: ['asset_class', 'symbol', 'qty', 'side', 'avg_entry_price', 'market_value'],
    wrap: (p) => [p],
    prefix: '0.',
  },
  {
    route: 'GET /v2/clock',
    endpoint: 'GET /v2/clock',
    call: (b) => b.getClock(),
    payload: {
      timestamp: CONTRACT_NOW,
      is_open: true,
      next_open: '2026-11-30T14:30:00Z',
      next_close: '2026-11-27T18:00:00Z',
    },
    required: ['timestamp', 'is_open', 'next_open', 'next_close'],
  },
  {
    route: 'GET /v2/calendar',
    endpoint: 'GET /v2/calendar',
    call: (b) => b.getCalendar(TradingDate('2026-11-27'), TradingDate('2026-11-27')),
    payload: { date: '2026-11-27', open: '09:30', close: '13:00' },
    required: ['date', 'open', 'close'],
    wrap: (p) => [p],
    prefix: '0.',
  },
  {
    route: 'GET /v2/assets/{symbol}',
    endpoint: 'GET /v2/assets/{id}',
    call: (b) => b.getAsset(Symbol('SPY')),
    payload: { symbol: 'SPY', status: 'active', tradable: true, fractionable: true },
    required: ['symbol', 'status', 'tradable', 'fractionable'],
  },
  {
    route: 'GET /v2/orders/{id}',
    endpoint: 'GET /v2/orders/{id}',
    call: (b) => b.getOrder(BrokerOrderId(ORDER.id)),
    payload: ORDER,
    required: Object.keys(ORDER).filter((k) => !ORDER_TIMES.includes(k)),
  },
  {
    route: 'GET /v2/stocks/trades/latest',
    endpoint: 'GET /v2/stocks/trades/latest',
    call: (b) => b.getLatestPrices([Symbol('SPY')]),
    payload: { p: '500', t: CONTRACT_NOW },
    required: ['p', 't'],
    wrap: (p) => ({ trades: { SPY: p } }),
    prefix: 'trades.SPY.',
  },
];

describe('Alpaca payloads with a field missing', () => {
  let server: FakeAlpacaServer;
  let broker: AlpacaBroker;
  beforeAll(async () => {
    const clock = new ManualClock(CONTRACT_NOW);
    server = await FakeAlpacaServer.start({
      world: CONTRACT_WORLD,
      clock,
      keyId: 'PKMISSING1',
      secretKey: 'missing-fields-secret',
    });
    broker = new AlpacaBroker(
      parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, timeoutMs: 2_000 }),
      {
        keys: { keys: async () => new AlpacaKeys('PKMISSING1', 'missing-fields-secret') },
        clock,
        logger: capturingLogger('warn').logger,
        sleep: async () => {},
        random: () => 0.5,
      },
    );
  });
  afterAll(() => server.close());

  const rows = CASES.flatMap((c) => c.required.map((field) => [c.endpoint, field, c] as const));
  it.each(rows)(
    '%s without %s is a MalformedBrokerPayload naming the endpoint and the field',
    async (_, field, c) => {
      const payload = { ...c.payload };
      delete payload[field];
      server.inject({
        route: c.route,
        kind: 'status',
        status: 200,
        body: JSON.stringify(c.wrap ? c.wrap(payload) : payload),
      });
      const error = await c.call(broker).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedBrokerPayload);
      expect(error).toMatchObject({ retryable: false });
      expect(messageOf(error)).toBe(
        `${c.endpoint}: malformed broker payload: ${c.prefix ?? ''}${field}: missing`,
      );
    },
  );

  it.each(CASES.map((c) => [c.endpoint, c] as const))(
    '%s with a valid payload parses (the cases above are not vacuous)',
    async (_, c) => {
      server.inject({
        route: c.route,
        kind: 'status',
        status: 200,
        body: JSON.stringify(c.wrap ? c.wrap(c.payload) : c.payload),
      });
      await expect(c.call(broker)).resolves.toBeDefined();
    },
  );

  it('names submitted_at when an order has neither it nor created_at', async () => {
    const { created_at: _, submitted_at: __, ...timeless } = ORDER;
    server.inject({
      route: 'GET /v2/orders/{id}',
      kind: 'status',
      status: 200,
      body: JSON.stringify(timeless),
    });
    const error = await broker.getOrder(BrokerOrderId(ORDER.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedBrokerPayload);
    expect(messageOf(error)).toBe(
      'GET /v2/orders/{id}: malformed broker payload: submitted_at: missing, and no created_at',
    );
  });

  it('never reports an accepted order as rejected when its payload lacks fields: it reads the order back', async () => {
    const request = marketBuy('SPY', '1', cid('unreadable'));
    const placed = await broker.placeOrder(request);
    server.inject({
      route: 'POST /v2/orders',
      kind: 'status',
      status: 200,
      body: JSON.stringify({ id: placed.id }),
    });
    const again = await broker.placeOrder(request);
    expect(again).toMatchObject({ id: placed.id, clientOrderId: request.clientOrderId });
  });

  it('makes an accepted but unreadable order a retryable error when it cannot be read back yet', async () => {
    const request = marketBuy('SPY', '1', cid('unreadable'));
    server.inject({ route: 'POST /v2/orders', kind: 'status', status: 201, body: '{"status":"accepted"}' });
    const error = await broker.placeOrder(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailable);
    expect(error).toMatchObject({ retryable: true });
    expect(messageOf(error)).toContain(
      'was accepted but its payload is malformed (id: missing; client_order_id: missing',
    );
  });
});
