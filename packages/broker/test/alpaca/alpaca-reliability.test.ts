import { ManualClock } from '@books/core';
import { FakeAlpacaServer } from '@books/testkit';
import {
  AlpacaBroker,
  AlpacaKeys,
  BrokerUnavailable,
  InProcessRequestBudget,
  MalformedBrokerPayload,
  parseAlpacaConfig,
  RateLimited,
} from '../../src';
import { capturingLogger } from '../support/logs';
import { CONTRACT_NOW, CONTRACT_WORLD, cid, marketBuy } from '../support/world';

const KEY_ID = 'PKLEAKCHECK0001';
const SECRET = 'sEcReT-never-in-logs-42';

async function setup(overrides: Record<string, unknown> = {}, logLevel = 'debug') {
  const clock = new ManualClock(CONTRACT_NOW);
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    clock.advance(ms);
  };
  const server = await FakeAlpacaServer.start({
    world: CONTRACT_WORLD,
    clock,
    keyId: KEY_ID,
    secretKey: SECRET,
  });
  const config = parseAlpacaConfig({
    tradingUrl: server.url,
    dataUrl: server.url,
    timeoutMs: 300,
    ...overrides,
  });
  const log = capturingLogger(logLevel);
  const broker = new AlpacaBroker(config, {
    keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
    clock,
    logger: log.logger,
    sleep,
    random: () => 0.5,
  });
  return { clock, slept, server, broker, log };
}

type Setup = Awaited<ReturnType<typeof setup>>;

describe('Alpaca adapter reliability', () => {
  let t: Setup;
  afterEach(async () => {
    await t.server.close();
  });

  describe('429 rate limit', () => {
    it('waits until X-RateLimit-Reset, then sends the GET again', async () => {
      t = await setup();
      const resetEpochSeconds = Math.floor(t.clock.now().getTime() / 1000) + 30;
      t.server.inject({ route: 'GET /v2/account', kind: 'rate-limit', resetEpochSeconds });
      const account = await t.broker.getAccount();
      expect(account.cash.toString()).toBe('10000');
      expect(t.server.count('GET /v2/account')).toBe(2);
      expect(t.slept).toContain(30_000);
    });

    it('falls back to Retry-After when there is no reset header', async () => {
      t = await setup();
      t.server.inject({
        route: 'GET /v2/account',
        kind: 'rate-limit',
        resetEpochSeconds: null,
        retryAfterSeconds: 7,
      });
      await t.broker.getAccount();
      expect(t.slept).toEqual([7_000]);
      expect(t.server.count('GET /v2/account')).toBe(2);
    });

    it('sends an order POST again after a 429: the broker did not accept it', async () => {
      t = await setup();
      const resetEpochSeconds = Math.floor(t.clock.now().getTime() / 1000) + 5;
      t.server.inject({ route: 'POST /v2/orders', kind: 'rate-limit', resetEpochSeconds });
      const order = await t.broker.placeOrder(marketBuy('SPY', '1'));
      expect(order).toMatchObject({ status: 'filled', alreadyExisted: false });
      expect(t.server.count('POST /v2/orders')).toBe(2);
      expect((await t.broker.getPositions())[0]?.qty.toString()).toBe('1');
    });

    it('gives up with a retryable RateLimited carrying the reset time when the limit persists', async () => {
      t = await setup({ maxRateLimitRetries: 2 });
      const resetEpochSeconds = Math.floor(t.clock.now().getTime() / 1000) + 10;
      t.server.inject({ route: 'GET /v2/positions', kind: 'rate-limit', resetEpochSeconds, count: 10 });
      const error = await t.broker.getPositions().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimited);
      expect(error).toMatchObject({ retryable: true });
      expect(t.server.count('GET /v2/positions')).toBe(3);
    });

    it('reports a reset further away than it may wait as RateLimited at once', async () => {
      t = await setup({ maxRateLimitWaitMs: 1_000 });
      const resetEpochSeconds = Math.floor(t.clock.now().getTime() / 1000) + 120;
      t.server.inject({ route: 'GET /v2/clock', kind: 'rate-limit', resetEpochSeconds });
      const error = await t.broker.getClock().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimited);
      expect((error as RateLimited).retryAfter.getTime()).toBe(resetEpochSeconds * 1000);
      expect(t.server.count('GET /v2/clock')).toBe(1);
    });
  });

  describe('GET retries', () => {
    it('retries a GET on 5xx with exponential backoff and jitter', async () => {
      t = await setup();
      t.server.inject({ route: 'GET /v2/positions', kind: 'status', status: 503, count: 2 });
      expect(await t.broker.getPositions()).toEqual([]);
      expect(t.server.count('GET /v2/positions')).toBe(3);
      // base 250 ms × 2^(n−1), jitter factor 0.5 + 0.5/2 = 0.75
      expect(t.slept).toEqual([188, 375]);
    });

    it('retries a GET that timed out', async () => {
      t = await setup();
      t.server.inject({ route: 'GET /v2/clock', kind: 'hang' });
      const clock = await t.broker.getClock();
      expect(clock.isOpen).toBe(true);
      expect(t.server.count('GET /v2/clock')).toBe(2);
    });

    it('gives up after the configured attempts with a retryable BrokerUnavailable', async () => {
      t = await setup({ maxIdempotentAttempts: 3 });
      t.server.inject({ route: 'GET /v2/account', kind: 'status', status: 500, count: 5 });
      const error = await t.broker.getAccount().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerUnavailable);
      expect(error).toMatchObject({ retryable: true });
      expect(t.server.count('GET /v2/account')).toBe(3);
    });
  });

  describe('order POST is never resent blindly', () => {
    it('after a timeout once the order was accepted, finds it by client order id: exactly one POST', async () => {
      t = await setup();
      t.server.inject({ route: 'POST /v2/orders', kind: 'accept-then-hang' });
      const request = marketBuy('SPY', '2', cid('timeout'));
      const order = await t.broker.placeOrder(request);
      expect(order).toMatchObject({
        clientOrderId: request.clientOrderId,
        status: 'filled',
        alreadyExisted: true,
      });
      expect(t.server.count('POST /v2/orders')).toBe(1);
      expect(t.server.count('GET /v2/orders:by_client_order_id')).toBe(1);
      expect((await t.broker.getPositions())[0]?.qty.toString()).toBe('2');
    });

    it('after a 5xx, looks up, finds nothing and reports a retryable BrokerUnavailable: exactly one POST', async () => {
      t = await setup();
      t.server.inject({ route: 'POST /v2/orders', kind: 'status', status: 502 });
      const request = marketBuy('SPY', '1', cid('5xx'));
      const error = await t.broker.placeOrder(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerUnavailable);
      expect(error).toMatchObject({ retryable: true });
      expect(t.server.count('POST /v2/orders')).toBe(1);
      expect(t.server.count('GET /v2/orders:by_client_order_id')).toBe(1);
      // The caller re-enters with the same client order id.
      const placed = await t.broker.placeOrder(request);
      expect(placed).toMatchObject({ status: 'filled', alreadyExisted: false });
      expect(t.server.count('POST /v2/orders')).toBe(2);
    });

    it('after a timeout before acceptance, reports BrokerUnavailable without resending', async () => {
      t = await setup();
      t.server.inject({ route: 'POST /v2/orders', kind: 'hang' });
      const error = await t.broker.placeOrder(marketBuy('SPY', '1')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerUnavailable);
      expect(t.server.count('POST /v2/orders')).toBe(1);
      expect(await t.broker.getPositions()).toEqual([]);
    });
  });

  describe('payloads', () => {
    it('names the endpoint and the missing field of a malformed payload', async () => {
      t = await setup();
      t.server.inject({
        route: 'GET /v2/account',
        kind: 'status',
        status: 200,
        body: '{"cash":"1","buying_power":"1"}',
      });
      const error = await t.broker.getAccount().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedBrokerPayload);
      expect((error as Error).message).toBe('GET /v2/account: malformed broker payload: equity: missing');
    });

    it('rejects a money field sent as a non-decimal', async () => {
      t = await setup();
      t.server.inject({
        route: 'GET /v2/account',
        kind: 'status',
        status: 200,
        body: '{"equity":"1e3x","cash":"1","buying_power":"1"}',
      });
      await expect(t.broker.getAccount()).rejects.toThrow(/equity: expected a decimal, got "1e3x"/);
    });
  });

  describe('secrets', () => {
    it('never writes the API keys to the log, whatever happens', async () => {
      t = await setup({}, 'trace');
      t.server.inject({ route: 'GET /v2/account', kind: 'status', status: 500 });
      t.server.inject({
        route: 'GET /v2/positions',
        kind: 'rate-limit',
        resetEpochSeconds: Math.floor(t.clock.now().getTime() / 1000) + 1,
      });
      t.server.inject({ route: 'POST /v2/orders', kind: 'accept-then-hang' });
      await t.broker.getAccount();
      await t.broker.getPositions();
      await t.broker.placeOrder(marketBuy('SPY', '1'));
      const keys = new AlpacaKeys(KEY_ID, SECRET);
      t.log.logger.info({ keys, headers: keys.headers() }, 'a careless log line');
      const text = t.log.text();
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(SECRET);
    });

    it('reports wrong keys as a non-retryable error without echoing them', async () => {
      t = await setup();
      const broker = new AlpacaBroker(parseAlpacaConfig({ tradingUrl: t.server.url }), {
        keys: { keys: async () => new AlpacaKeys('WRONG-ID', 'WRONG-SECRET') },
        clock: t.clock,
        logger: t.log.logger,
      });
      const error = await broker.getAccount().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'BrokerRequestError', retryable: false });
      expect(
        JSON.stringify({ m: (error as Error).message, c: (error as { context: unknown }).context }),
      ).not.toContain('WRONG-SECRET');
    });
  });

  it('takes every request from the shared budget', async () => {
    t = await setup();
    const budget = new InProcessRequestBudget(t.clock, async (ms) => t.clock.advance(ms), 2);
    const broker = new AlpacaBroker(parseAlpacaConfig({ tradingUrl: t.server.url }), {
      keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
      clock: t.clock,
      logger: t.log.logger,
      budget,
    });
    const start = t.clock.now().getTime();
    await broker.getAccount();
    await broker.getAccount();
    await broker.getAccount();
    expect(t.clock.now().getTime() - start).toBe(30_000);
  });
});
