import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ManualClock, TradingDate, ValidationError } from '@books/core';
import {
  createTestBucket,
  FakeMarketDataServer,
  type FakeSsmServer,
  fakeDailyBar,
  startFakeSsm,
  type TestBucket,
  testLambdaContext,
} from '@books/testkit';
import {
  DataRefreshFailed,
  type DataRefreshSummary,
  dataRefreshFunction,
  dataRefreshKeys,
  parseDataRefreshEnv,
  S3BarStore,
} from '../src';
import { captureLogger } from './support/capture-logger';

/** The SDK's commands the store sends, as a function's wiring hands them in. */
const S3_COMMANDS = { GetObjectCommand, PutObjectCommand, ListObjectsV2Command };

const KEY_ID = 'PKREFRESHKEY';
const SECRET = 'refresh-secret-never-logged';
const clock = new ManualClock('2024-01-05T23:30:00Z');
let bucket: TestBucket;
let server: FakeMarketDataServer;
let ssmServer: FakeSsmServer;
let ssm: SSMClient;
const KEY_PREFIX = '/strategy-books/test/alpaca';

beforeAll(async () => {
  bucket = await createTestBucket('refresh');
  ssmServer = await startFakeSsm({
    [`${KEY_PREFIX}/api-key-id`]: KEY_ID,
    [`${KEY_PREFIX}/api-secret-key`]: SECRET,
  });
  ssm = new SSMClient({
    region: 'us-east-1',
    endpoint: ssmServer.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  ssm.destroy();
  await ssmServer.close();
  await bucket.cleanup();
});
beforeEach(async () => {
  server = await FakeMarketDataServer.start({ clock, keyId: KEY_ID, secretKey: SECRET });
});
afterEach(() => server.close());

const baseEnv = (prefix: string, extra: Record<string, string> = {}) => ({
  BOOKS_BARS: `s3://${bucket.bucket}/${prefix}`,
  BOOKS_ALPACA_DATA_URL: server.url,
  BOOKS_BARS_HISTORY_START: '2024-01-01',
  ALPACA_API_KEY_ID: KEY_ID,
  ALPACA_API_SECRET_KEY: SECRET,
  ...extra,
});

describe('parseDataRefreshEnv', () => {
  it('reads the bucket and prefix, the feed and the configured symbols', () => {
    const env = parseDataRefreshEnv({
      BOOKS_BARS: 's3://books-bars-prod/daily/bars',
      BOOKS_BARS_SYMBOLS: 'SPY, BRK/B QQQ',
      BOOKS_ALPACA_FEED: 'sip',
      ALPACA_API_KEY_ID: 'k',
      ALPACA_API_SECRET_KEY: 's',
    });
    expect(env.BOOKS_BARS).toEqual({ bucket: 'books-bars-prod', prefix: 'daily/bars' });
    expect(env.BOOKS_BARS_SYMBOLS).toEqual(['SPY', 'BRK/B', 'QQQ']);
    expect(env.BOOKS_ALPACA_FEED).toBe('sip');
  });

  it('names every problem and never echoes a secret', () => {
    const error = (() => {
      try {
        parseDataRefreshEnv({
          BOOKS_BARS: '/tmp/bars',
          BOOKS_BARS_SYMBOLS: 'SPY,not a ticker!',
          ALPACA_API_SECRET_KEY: 'hunter2',
          BOOKS_ALPACA_FEED: 'hunter2',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const message = String(error);
    for (const name of ['BOOKS_BARS', 'BOOKS_BARS_SYMBOLS', 'BOOKS_ALPACA_FEED'])
      expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
  });

  it('asks for the key variables when no SSM prefix names where the keys are', () => {
    expect(() =>
      parseDataRefreshEnv({ BOOKS_BARS: 's3://b-bars/x', ALPACA_API_SECRET_KEY: 'hunter2' }),
    ).toThrow(/ALPACA_API_KEY_ID is required when BOOKS_ALPACA_KEY_SSM_PREFIX is not set/);
  });

  it('needs no key variables when the keys are in SSM, and takes empty ones as unset', () => {
    const env = parseDataRefreshEnv({
      BOOKS_BARS: 's3://books-bars-prod/bars',
      BOOKS_ALPACA_KEY_SSM_PREFIX: KEY_PREFIX,
      ALPACA_API_KEY_ID: '',
      ALPACA_API_SECRET_KEY: '',
    });
    expect(env.BOOKS_ALPACA_KEY_SSM_PREFIX).toBe(KEY_PREFIX);
    expect(env.ALPACA_API_KEY_ID).toBeUndefined();
  });

  it('rejects a feed that daily bars or latest trades cannot use', () => {
    expect(() =>
      parseDataRefreshEnv({
        BOOKS_BARS: 's3://b-bars/x',
        BOOKS_ALPACA_KEY_SSM_PREFIX: KEY_PREFIX,
        BOOKS_ALPACA_FEED: 'boats',
      }),
    ).toThrow(/BOOKS_ALPACA_FEED/);
  });
});

describe('dataRefreshFunction', () => {
  it('refreshes the configured symbols into S3, then only the new days of every stored symbol', async () => {
    const { logger, lines } = captureLogger();
    const env = parseDataRefreshEnv(baseEnv('one/', { BOOKS_BARS_SYMBOLS: 'SPY,BRK/B' }));
    const refresh = dataRefreshFunction({
      env,
      s3: bucket.client,
      s3Commands: S3_COMMANDS,
      keys: dataRefreshKeys(env, ssm, GetParameterCommand),
      clock,
      logger,
    });
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471.33'), fakeDailyBar('2024-01-03', '472.1')]);
    server.bars.set('BRK.B', [fakeDailyBar('2024-01-02', '360.5'), fakeDailyBar('2024-01-03', '361')]);
    server.bars.set('QQQ', [fakeDailyBar('2024-01-03', '401')]);

    const first = await refresh({ today: '2024-01-03' }, testLambdaContext(600_000, 'dataRefresh'));
    expect(first.outcomes).toMatchObject({ created: 2, failed: 0 });
    expect(first.added).toBe(4);

    // QQQ joins the store by another route; the next run refreshes it with the others.
    await new S3BarStore({
      client: bucket.client,
      commands: S3_COMMANDS,
      bucket: bucket.bucket,
      prefix: 'one/',
    }).putBars('QQQ', [
      {
        date: TradingDate('2024-01-03'),
        open: 401,
        high: 401,
        low: 401,
        close: 401,
        closeText: '401',
        volume: 1000,
      },
    ]);
    server.bars.get('SPY')?.push(fakeDailyBar('2024-01-04', '473'));
    server.bars.get('BRK.B')?.push(fakeDailyBar('2024-01-04', '362.25'));
    clock.set('2024-01-04T23:30:00Z');
    const before = server.requests.length;
    const second = await refresh({}, testLambdaContext(600_000, 'dataRefresh'));

    expect(second.today).toBe('2024-01-04');
    expect(second.outcomes).toMatchObject({ appended: 2, unchanged: 1, failed: 0 });
    expect(second.gaps).toEqual({ QQQ: ['2024-01-04'] });
    // Each symbol from its overlap: symbols sharing a start date in one request.
    expect(
      server.requests.slice(before).map((r) => `${r.query.get('symbols')} from ${r.query.get('start')}`),
    ).toEqual(['BRK.B,SPY from 2024-01-02', 'QQQ from 2024-01-03']);
    const store = new S3BarStore({
      client: bucket.client,
      commands: S3_COMMANDS,
      bucket: bucket.bucket,
      prefix: 'one/',
    });
    expect((await store.bars('BRK/B')).map((b) => b.closeText)).toEqual(['360.5', '361', '362.25']);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});

describe('dataRefreshFunction keys and failures', () => {
  it('reads the Alpaca keys from SSM SecureString parameters under the prefix at run time', async () => {
    const env = parseDataRefreshEnv({
      BOOKS_BARS: `s3://${bucket.bucket}/ssm/`,
      BOOKS_ALPACA_DATA_URL: server.url,
      BOOKS_BARS_HISTORY_START: '2024-01-01',
      BOOKS_BARS_SYMBOLS: 'SPY',
      BOOKS_ALPACA_KEY_SSM_PREFIX: KEY_PREFIX,
    });
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471.33')]);
    const { logger, lines } = captureLogger();
    const refresh = dataRefreshFunction({
      env,
      s3: bucket.client,
      s3Commands: S3_COMMANDS,
      keys: dataRefreshKeys(env, ssm, GetParameterCommand),
      clock,
      logger,
    });

    const summary = await refresh({ today: '2024-01-02' }, testLambdaContext(600_000, 'dataRefresh'));

    expect(summary.outcomes.created).toBe(1);
    // The fake answers 401 to any other keys: these came from SSM.
    expect(server.requests.every((r) => r.route === 'GET /v2/stocks/bars')).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('fails every symbol at once, asking Alpaca nothing, when the keys cannot be read from SSM', async () => {
    const env = parseDataRefreshEnv({
      BOOKS_BARS: `s3://${bucket.bucket}/nokeys/`,
      BOOKS_ALPACA_DATA_URL: server.url,
      BOOKS_BARS_SYMBOLS: 'SPY,QQQ',
      BOOKS_ALPACA_KEY_SSM_PREFIX: '/strategy-books/nowhere/alpaca',
    });
    const { logger } = captureLogger();
    const refresh = dataRefreshFunction({
      env,
      s3: bucket.client,
      s3Commands: S3_COMMANDS,
      keys: dataRefreshKeys(env, ssm, GetParameterCommand),
      clock,
      logger,
    });

    const error = await refresh({ today: '2024-01-02' }, testLambdaContext(600_000, 'dataRefresh')).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(DataRefreshFailed);
    expect(String(error)).toContain('cannot read SSM parameter /strategy-books/nowhere/alpaca/api-key-id');
    expect(error instanceof DataRefreshFailed ? error.summary.outcomes.failed : 0).toBe(2);
    expect(server.requests).toEqual([]);
  });

  it('fails the invocation when any symbol fails, after keeping the symbols that succeeded', async () => {
    const env = parseDataRefreshEnv(baseEnv('partial/', { BOOKS_BARS_SYMBOLS: 'SPY,QQQ' }));
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471.33')]);
    // QQQ has no bars at all: a new symbol without history is a failure.
    const { logger } = captureLogger();
    const refresh = dataRefreshFunction({
      env,
      s3: bucket.client,
      s3Commands: S3_COMMANDS,
      keys: dataRefreshKeys(env, ssm, GetParameterCommand),
      clock,
      logger,
    });

    const error = await refresh({ today: '2024-01-02' }, testLambdaContext(600_000, 'dataRefresh')).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(DataRefreshFailed);
    const summary: DataRefreshSummary | undefined =
      error instanceof DataRefreshFailed ? error.summary : undefined;
    expect(summary?.outcomes).toMatchObject({ created: 1, failed: 1 });
    expect(summary?.failed.map((f) => f.symbol)).toEqual(['QQQ']);
    expect(String(error)).toContain('QQQ');
    const store = new S3BarStore({
      client: bucket.client,
      commands: S3_COMMANDS,
      bucket: bucket.bucket,
      prefix: 'partial/',
    });
    expect((await store.bars('SPY')).map((b) => b.closeText)).toEqual(['471.33']);
  });
});

describe('data-refresh handler', () => {
  it('wires the environment to S3 and Alpaca at cold start', async () => {
    const saved = { ...process.env };
    Object.assign(
      process.env,
      baseEnv('handler/', {
        BOOKS_BARS_SYMBOLS: 'SPY',
        BOOKS_S3_ENDPOINT: process.env.BOOKS_TEST_S3_ENDPOINT ?? '',
        BOOKS_LOG_LEVEL: 'silent',
      }),
    );
    server.bars.set('SPY', [fakeDailyBar('2024-01-02', '471.33')]);
    try {
      await jest.isolateModulesAsync(async () => {
        const { handler } = await import('../src/data-refresh-handler');
        const summary = await handler({ today: '2024-01-02' }, testLambdaContext(600_000, 'dataRefresh'));
        expect(summary.outcomes.created).toBe(1);
      });
      const store = new S3BarStore({
        client: bucket.client,
        commands: S3_COMMANDS,
        bucket: bucket.bucket,
        prefix: 'handler/',
      });
      expect((await store.bars('SPY')).map((b) => b.closeText)).toEqual(['471.33']);
    } finally {
      process.env = saved;
    }
  });
});
