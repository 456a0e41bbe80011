import { AlpacaKeys } from '@books/alpaca';
import { ManualClock, TradingDate } from '@books/core';
import { alpacaSpecPresent, FakeMarketDataServer, fakeDailyBar } from '@books/testkit';
import {
  AlpacaBarsClient,
  type AlpacaDataConfigInput,
  AlpacaDataConfigSchema,
  MalformedMarketData,
  MarketDataRateLimited,
  MarketDataRequestError,
  MarketDataUnavailable,
} from '../src';
import { captureLogger } from './support/capture-logger';

const KEY_ID = 'PKTESTKEYID0123456789';
const SECRET = 'secret-that-must-never-be-logged';
const clock = new ManualClock('2024-01-08T23:00:00Z');
let server: FakeMarketDataServer;

beforeEach(async () => {
  server = await FakeMarketDataServer.start({ clock, keyId: KEY_ID, secretKey: SECRET });
});
afterEach(() => server.close());

function clientFor(
  config: Omit<AlpacaDataConfigInput, 'dataUrl'> = {},
  keys = new AlpacaKeys(KEY_ID, SECRET),
) {
  const sleeps: number[] = [];
  const { logger, lines } = captureLogger();
  const client = new AlpacaBarsClient(AlpacaDataConfigSchema.parse({ dataUrl: server.url, ...config }), {
    keys: { keys: async () => keys },
    clock,
    logger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { client, sleeps, lines };
}

const d = TradingDate;

describe('AlpacaBarsClient.dailyBars', () => {
  it('follows next_page_token across pages and gathers each symbol’s bars in order', async () => {
    server.bars.set('SPY', [
      fakeDailyBar('2024-01-02', '471.33'),
      fakeDailyBar('2024-01-03', '472.1'),
      fakeDailyBar('2024-01-04', '470'),
    ]);
    server.bars.set('QQQ', [fakeDailyBar('2024-01-02', '401.5'), fakeDailyBar('2024-01-03', '402')]);
    server.bars.set('IWM', [fakeDailyBar('2024-01-04', '199.99')]);
    const { client } = clientFor({ pageLimit: 2 });

    const bars = await client.dailyBars(['SPY', 'QQQ', 'IWM', 'TLT'], d('2024-01-01'), d('2024-01-08'));

    expect(server.count('GET /v2/stocks/bars')).toBe(3);
    expect(bars.get('SPY')?.map((b) => [b.date, b.close])).toEqual([
      ['2024-01-02', '471.33'],
      ['2024-01-03', '472.1'],
      ['2024-01-04', '470'],
    ]);
    expect(bars.get('QQQ')?.map((b) => b.date)).toEqual(['2024-01-02', '2024-01-03']);
    expect(bars.get('IWM')?.map((b) => b.close)).toEqual(['199.99']);
    expect(bars.get('TLT')).toEqual([]);
  });

  it('asks for adjusted daily SIP bars whatever the latest-trades feed, BRK/B as BRK.B, and answers under BRK/B', async () => {
    server.bars.set('BRK.B', [fakeDailyBar('2024-01-03', '360.5')]);
    const { client } = clientFor({ latestTradesFeed: 'delayed_sip' });

    const bars = await client.dailyBars(['BRK/B'], d('2024-01-03'), d('2024-01-05'));

    expect(bars.get('BRK/B')?.map((b) => b.close)).toEqual(['360.5']);
    const q = server.requests[0]?.query;
    expect(Object.fromEntries(q ?? [])).toEqual({
      symbols: 'BRK.B',
      timeframe: '1Day',
      start: '2024-01-03',
      end: '2024-01-05',
      adjustment: 'all',
      feed: 'sip',
      limit: '10000',
    });
  });

  it('keeps prices exact and dates bars by their New York day, summer time included', async () => {
    server.bars.set('SPY', [
      {
        t: '"2024-03-11T04:00:00Z"',
        o: '510.10',
        h: '512.123456789012345678',
        l: '1.5e2',
        c: '511.3300',
        v: '81234567',
      },
    ]);
    const { client } = clientFor();

    const [bar] = (await client.dailyBars(['SPY'], d('2024-03-11'), d('2024-03-11'))).get('SPY') ?? [];

    expect(bar).toEqual({
      date: '2024-03-11',
      open: '510.1',
      high: '512.123456789012345678',
      low: '150',
      close: '511.33',
      volume: '81234567',
    });
  });

  it('splits many symbols into several requests', async () => {
    const { client } = clientFor({ symbolsPerRequest: 2 });
    await client.dailyBars(['A', 'B', 'C'], d('2024-01-02'), d('2024-01-02'));
    expect(server.requests.map((r) => r.query.get('symbols'))).toEqual(['A,B', 'C']);
  });

  it('waits for the rate-limit reset after a 429, then gets the bars', async () => {
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471')]);
    server.inject({
      route: 'GET /v2/stocks/bars',
      kind: 'rate-limit',
      resetEpochSeconds: clock.now().getTime() / 1000 + 7,
    });
    const { client, sleeps } = clientFor();

    const bars = await client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'));

    expect(sleeps).toEqual([7000]);
    expect(bars.get('SPY')).toHaveLength(1);
  });

  it('gives up with MarketDataRateLimited when the reset is too far away', async () => {
    server.inject({
      route: 'GET /v2/stocks/bars',
      kind: 'rate-limit',
      resetEpochSeconds: clock.now().getTime() / 1000 + 600,
    });
    const { client, sleeps } = clientFor();
    await expect(client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'))).rejects.toBeInstanceOf(
      MarketDataRateLimited,
    );
    expect(sleeps).toEqual([]);
  });

  it('retries a 5xx with growing backoff and succeeds', async () => {
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471')]);
    server.inject({ route: 'GET /v2/stocks/bars', kind: 'status', status: 503, count: 2 });
    const { client, sleeps } = clientFor({ baseBackoffMs: 100 });

    const bars = await client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'));

    expect(bars.get('SPY')).toHaveLength(1);
    expect(server.count('GET /v2/stocks/bars')).toBe(3);
    expect(sleeps).toEqual([75, 150]);
  });

  it('retries a network failure like a 5xx', async () => {
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471')]);
    let failuresLeft = 2;
    const flaky: typeof fetch = async (input, init) => {
      if (failuresLeft-- > 0) throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      return fetch(input, init);
    };
    const { logger, lines } = captureLogger();
    const client = new AlpacaBarsClient(AlpacaDataConfigSchema.parse({ dataUrl: server.url }), {
      keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
      clock,
      logger,
      sleep: async () => {},
      fetch: flaky,
    });

    expect((await client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'))).get('SPY')).toHaveLength(1);
    expect(lines.filter((l) => l.includes('network error: fetch failed (ECONNRESET)'))).toHaveLength(2);
  });

  it('reports the data API unavailable after the last 5xx attempt', async () => {
    server.inject({ route: 'GET /v2/stocks/bars', kind: 'status', status: 500, count: 10 });
    const { client } = clientFor({ maxAttempts: 3 });
    await expect(client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'))).rejects.toBeInstanceOf(
      MarketDataUnavailable,
    );
    expect(server.count('GET /v2/stocks/bars')).toBe(3);
  });

  it('does not retry a 4xx and says why', async () => {
    server.inject({
      route: 'GET /v2/stocks/bars',
      kind: 'status',
      status: 403,
      body: '{"message":"subscription does not permit querying recent SIP data"}',
    });
    const { client } = clientFor();
    const error = await client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarketDataRequestError);
    expect(error).toMatchObject({ status: 403 });
    expect(String(error)).toContain('subscription does not permit');
    expect(server.count('GET /v2/stocks/bars')).toBe(1);
  });

  it.each([
    ['a close that is not a number', { c: '"abc"' }, 'bars.BRK.B[1].c', 'expected a number'],
    ['a missing volume', { v: 'null' }, 'bars.BRK.B[1].v', 'expected a number'],
    ['a timestamp that is not a time', { t: '"2024-01-03Tnoon"' }, 'bars.BRK.B[1].t', 'RFC 3339'],
  ])('rejects a payload with %s, naming the field and the symbol', async (_what, broken, field, problem) => {
    server.bars.set('BRK.B', [fakeDailyBar('2024-01-02', '360'), fakeDailyBar('2024-01-03', '361', broken)]);
    const { client } = clientFor();

    const error = await client
      .dailyBars(['BRK/B'], d('2024-01-02'), d('2024-01-03'))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedMarketData);
    expect(error).toMatchObject({ field, symbol: 'BRK/B' });
    expect(String(error)).toContain(problem);
    // The broken bar is off Alpaca's contract on purpose; the fake's spec check sees it too.
    if (alpacaSpecPresent) expect(server.takeContractViolations()).not.toHaveLength(0);
  });

  it('rejects a body that is not JSON', async () => {
    server.inject({ route: 'GET /v2/stocks/bars', kind: 'body', body: '<html>gateway</html>' });
    const { client } = clientFor();
    await expect(client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'))).rejects.toThrow(
      'malformed payload at (body): not JSON',
    );
  });

  it('never writes the keys to the log, even while retrying', async () => {
    server.inject({ route: 'GET /v2/stocks/bars', kind: 'status', status: 502 });
    server.inject({ route: 'GET /v2/stocks/bars', kind: 'rate-limit', retryAfterSeconds: 1 });
    const { client, lines } = clientFor();

    await client.dailyBars(['SPY'], d('2024-01-02'), d('2024-01-02'));

    expect(lines.length).toBeGreaterThanOrEqual(2);
    const log = lines.join('\n');
    expect(log).not.toContain(KEY_ID);
    expect(log).not.toContain(SECRET);
  });
});

describe('AlpacaBarsClient.latestTrades', () => {
  it('returns each symbol’s latest trade with its exact price', async () => {
    server.trades.set('BRK.B', { p: '360.123456789', t: '2024-01-08T20:59:59.123456Z' });
    server.trades.set('SPY', { p: '471.5', t: '2024-01-08T20:59:58Z' });
    const { client } = clientFor({ latestTradesFeed: 'iex' });

    const trades = await client.latestTrades(['BRK/B', 'SPY', 'NOPE']);

    expect(trades.get('BRK/B')?.priceText).toBe('360.123456789');
    expect(trades.get('BRK/B')?.price.toString()).toBe('360.123456789');
    expect(trades.get('SPY')?.at.toISOString()).toBe('2024-01-08T20:59:58.000Z');
    expect(trades.has('NOPE')).toBe(false);
    expect(server.requests[0]?.query.get('symbols')).toBe('BRK.B,SPY,NOPE');
    expect(server.requests[0]?.query.get('feed')).toBe('iex');
  });

  it('rejects a trade without a price, naming the symbol', async () => {
    server.inject({
      route: 'GET /v2/stocks/trades/latest',
      kind: 'body',
      body: '{"trades":{"SPY":{"t":"2024-01-08T20:59:58Z","s":100}}}',
    });
    const { client } = clientFor();
    await expect(client.latestTrades(['SPY'])).rejects.toMatchObject({
      field: 'trades.SPY.p',
      symbol: 'SPY',
    });
  });
});

describe('AlpacaBarsClient with a request budget', () => {
  it('takes one request from the budget before every page it asks for', async () => {
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471.33'), fakeDailyBar('2024-01-03', '472.1')]);
    const takes: (number | undefined)[] = [];
    const client = new AlpacaBarsClient(AlpacaDataConfigSchema.parse({ dataUrl: server.url, pageLimit: 1 }), {
      keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
      clock,
      logger: captureLogger().logger,
      budget: {
        take: async (options) => void takes.push(options?.maxWaitMs),
        exhaustUntil: async () => {},
      },
    });
    await client.dailyBars(['SPY'], d('2024-01-01'), d('2024-01-08'));
    expect(server.count('GET /v2/stocks/bars')).toBe(2);
    expect(takes).toHaveLength(2);
  });
});
