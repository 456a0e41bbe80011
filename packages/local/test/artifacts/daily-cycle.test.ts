import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { OrderNotFound } from '@books/broker';
import {
  createLogger,
  ManualClock,
  Money,
  marketTimeToInstant,
  runIdOf,
  StrategyId,
  TradingDate,
} from '@books/core';
import { EVENT_SOURCE, runCompletedEvent } from '@books/events';
import { generateSampleBars, sampleTradingDays } from '@books/market-data';
import { FakeMarketDataServer, type FakeSsmServer, fakeDailyBar, startFakeSsm, testS3 } from '@books/testkit';
import * as z from 'zod';
import { ArtifactRuntime } from '../../src/artifacts/artifact-runtime';
import { packageService } from '../../src/artifacts/package-service';
import { LocalWorld } from '../../src/daily-run/local-world';
import { invokeFunction, offlineLambda } from '../../src/dev/offline-lambda';
import { drainThroughOffline } from '../../src/dev/offline-poller';
import { runDayViaOffline, setSimulatedClock } from '../../src/dev/run-via-offline';
import { workspaceRoot } from '../../src/stack';
import { checkInvariants } from '../e2e/support';
import { type MotoServer, startMoto } from '../support/moto-server';

/**
 * A stage whose configuration the artifacts carry (`strategies/config.dev.json` is packaged): the
 * functions read it from their own task root, as deployed.
 */
const STAGE = 'dev';
const IDS = ['momentum', 'mean_reversion', 'breakout'].map((s) => StrategyId(s));
const ON_LEGACY = StrategyId('momentum');
const DAYS = ['2024-03-14', '2024-03-15'].map((d) => TradingDate(d));
/** A later day, its portfolio drifted from the last traded one's: its run plans trades. */
const LATE_DAY = TradingDate('2024-04-15');
const KEY_ID = 'PKARTIFACTTEST';
const SECRET = 'artifact-secret';
const REFRESHED = ['SPY', 'QQQ', 'TLT', 'IEF', 'GLD', 'BIL'];

const ReconcileSummarySchema = z.object({
  date: z.string(),
  ok: z.boolean(),
  breaks: z.array(z.unknown()),
  external: z.array(z.unknown()),
  cash: z.object({ status: z.string() }),
});

/**
 * Every function runs from its own artifact: `sls package` once, each zip unpacked into its own
 * empty task root, each function in its own Node 22 process with that root as working directory
 * and the packaged template's handler and environment (under the local overlay, on the embedded
 * test stack), behind one Lambda endpoint. Whole daily cycles run through it: DailyRun's Tasks,
 * the execution queue delivered by the local poller, execution invoking the reconciler, and the
 * data refresh against the Alpaca-shaped market-data server.
 */
describe('the daily cycle, every function from its packaged artifact', () => {
  const root = mkdtempSync(join(tmpdir(), 'books-artifacts-'));
  const home = join(root, 'home');
  let runtime: ArtifactRuntime | undefined;
  let market: FakeMarketDataServer | undefined;
  let ssm: FakeSsmServer | undefined;
  let world: LocalWorld;
  /** The stage's topic on moto, and a queue subscribed to it (what an e-mail subscriber would get). */
  let moto: MotoServer | undefined;
  let inbox: { sqs: SQSClient; url: string } | undefined;

  beforeAll(async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    const s3 = process.env.BOOKS_TEST_S3_ENDPOINT;
    if (!dynamodb || !sqs || !s3) throw new Error('the embedded test stack is not running');
    const packaged = packageService({ stage: STAGE, outDir: join(root, 'package') });
    // Awaited below, once the rest is set up; a failure must not go unhandled meanwhile.
    packaged.catch(() => undefined);
    // The stack's home the functions reach as <task root>/.books: no strategies in it.
    mkdirSync(join(home, 'sample-bars'), { recursive: true });
    writeFileSync(
      join(home, 'stack.json'),
      JSON.stringify({ stage: STAGE, dynamodb: { endpoint: dynamodb }, sqs: { endpoint: sqs } }),
    );
    for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2023-01-03', '2024-06-28')))
      writeFileSync(join(home, 'sample-bars', `${symbol}.csv`), csv);
    // This process reads the books with the project's own copy of the configuration.
    const strategies = join(root, 'strategies');
    cpSync(join(workspaceRoot(), 'strategies'), strategies, { recursive: true });
    const flowFlagsFile = join(home, `flow-flags.${STAGE}.json`);
    world = await LocalWorld.open({
      endpoints: { dynamodb, sqs },
      stage: STAGE,
      barsDir: join(home, 'sample-bars'),
      strategiesDir: strategies,
      configFile: `config.${STAGE}.json`,
      flowFlagsFile,
      logger: createLogger(
        { service: 'artifacts-test' },
        { level: 'warn', destination: { write: () => true } },
      ),
    });
    // One strategy on the merged flow from its first day: both flows run every day.
    await world.services.flows.set(ON_LEGACY, 'legacy');
    market = await FakeMarketDataServer.start({
      clock: new ManualClock('2024-03-15T22:00:00Z'),
      keyId: KEY_ID,
      secretKey: SECRET,
    });
    for (const symbol of REFRESHED)
      market.bars.set(symbol, [fakeDailyBar('2024-03-14', '100.5'), fakeDailyBar('2024-03-15', '101.25')]);
    const s3Client = testS3();
    try {
      await s3Client.send(new CreateBucketCommand({ Bucket: `strategy-books-${STAGE}-bars` }));
    } finally {
      s3Client.destroy();
    }
    // dataRefresh reads its Alpaca keys from Parameter Store, under the template's prefix.
    ssm = await startFakeSsm({
      [`/strategy-books/${STAGE}/alpaca/api-key-id`]: KEY_ID,
      [`/strategy-books/${STAGE}/alpaca/api-secret-key`]: SECRET,
    });
    moto = await startMoto();
    const aws = {
      endpoint: moto.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const sns = new SNSClient(aws);
    const sqsOnMoto = new SQSClient(aws);
    const topicArn = z
      .string()
      .parse((await sns.send(new CreateTopicCommand({ Name: `strategy-books-${STAGE}-alarms` }))).TopicArn);
    const inboxUrl = z
      .string()
      .parse((await sqsOnMoto.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl);
    const inboxArn = (
      await sqsOnMoto.send(
        new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
    sns.destroy();
    inbox = { sqs: sqsOnMoto, url: inboxUrl };
    const motoUrl = moto.url;
    const marketUrl = market.url;
    const ssmEndpoint = ssm.endpoint;
    runtime = await ArtifactRuntime.start({
      packageDir: await packaged,
      workDir: join(root, 'functions'),
      booksHome: home,
      // What a deploy's CloudFormation would resolve, should the template reference resources.
      references: {
        LedgerTable: world.services.env.BOOKS_TABLE_NAME,
        ExecutionQueue: world.executionQueueUrl,
        BarsBucket: `strategy-books-${STAGE}-bars`,
        AlarmTopic: topicArn,
      },
      env: (fn): Record<string, string> =>
        fn.key === 'dataRefresh'
          ? {
              BOOKS_S3_ENDPOINT: s3,
              BOOKS_ALPACA_DATA_URL: marketUrl,
              BOOKS_SSM_ENDPOINT: ssmEndpoint,
              BOOKS_BARS_HISTORY_START: '2024-03-01',
            }
          : {
              IS_OFFLINE: 'true',
              BOOKS_LOG_LEVEL: 'warn',
              // The notifier publishes to the topic on moto, and reads its webhook parameter (absent).
              ...(fn.key === 'notifier'
                ? { BOOKS_SNS_ENDPOINT: motoUrl, BOOKS_SSM_ENDPOINT: ssmEndpoint }
                : {}),
            },
    });
  }, 300_000);

  afterAll(async () => {
    await runtime?.stop();
    await market?.close();
    await ssm?.close();
    inbox?.sqs.destroy();
    await moto?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('cold-starts every packaged function from its own task root, outside the workspace', async () => {
    if (!runtime) throw new Error('the artifacts did not start');
    const functions = [...runtime.functions.values()];
    expect(functions.map((f) => f.fn.key).sort()).toEqual(
      [
        'coordinator',
        'dataRefresh',
        'execution',
        'legacy',
        'notifier',
        'reconciler',
        'strategyWorker',
      ].sort(),
    );
    expect(new Set(functions.map((f) => f.taskRoot)).size).toBe(functions.length);
    for (const f of functions) {
      expect(f.taskRoot.startsWith(workspaceRoot())).toBe(false);
      const cold = await runtime.coldStart(f.fn.key);
      expect({ key: f.fn.key, initError: cold.initError }).toEqual({ key: f.fn.key, initError: undefined });
    }
  });

  it('trades whole days on both flows, books equal to the broker, and the reconciliation matches', async () => {
    if (!runtime) throw new Error('the artifacts did not start');
    const lambda = offlineLambda(runtime.endpoint);
    try {
      for (const date of DAYS) {
        const result = await runDayViaOffline(world, date, {
          lambdaEndpoint: runtime.endpoint,
          booksHome: home,
          drain: { retryDelaySeconds: 1 },
        });
        expect(result.plan).toMatchObject({ runId: `${STAGE}-${date}`, status: 'DISPATCHED' });
        expect(result.drain.failed).toBe(0);
        // The first day builds the books; a later one trades only what drifted.
        if (date === DAYS[0]) expect(result.drain.delivered).toBeGreaterThan(0);
        expect(await checkInvariants(world.services, Money.parse('100000'), { strategyIds: IDS })).toEqual(
          [],
        );
        // The reconciler from its own artifact, over the books the other artifacts wrote.
        const summary = ReconcileSummarySchema.parse(
          await invokeFunction(lambda, `strategy-books-${STAGE}-reconciler`, { date }),
        );
        expect(summary).toMatchObject({
          date,
          ok: true,
          breaks: [],
          external: [],
          cash: { status: 'MATCH' },
        });
      }
      // Both flows traded: the per-strategy books and the merged (LEGACY) book.
      const perStrategy = await Promise.all(
        IDS.filter((s) => s !== ON_LEGACY).map((s) => world.services.trades.listByStrategy(s)),
      );
      expect(perStrategy.flat().length).toBeGreaterThan(0);
      expect((await world.services.trades.listLegacy()).length).toBeGreaterThan(0);
      expect(await world.services.trades.listByStrategy(ON_LEGACY)).toEqual([]);
      // Execution asked for the reconciliation after each run's last trade (an asynchronous invoke,
      // served before the synchronous one above): none of them failed.
      const reconcilerLog = runtime.functions.get('reconciler')?.logFile ?? '';
      expect(readFileSync(reconcilerLog, 'utf8')).not.toContain('asyncInvocationFailed');
    } finally {
      lambda.destroy();
    }
  }, 300_000);

  it("expires a day's trades delivered after its session's close: no order reaches the broker, books still equal to it", async () => {
    if (!runtime) throw new Error('the artifacts did not start');
    const day = LATE_DAY;
    // DailyRun plans and dispatches at 15:30 New York; the poller holds its messages back.
    const result = await runDayViaOffline(world, day, {
      lambdaEndpoint: runtime.endpoint,
      booksHome: home,
      drain: { maxRounds: 0 },
    });
    expect(result.plan).toMatchObject({ runId: `${STAGE}-${day}`, status: 'DISPATCHED' });
    const runId = runIdOf(STAGE, day);
    const held = await world.services.intents.listForRun(runId);
    // Nothing was executed before the close: the day's messages are still queued.
    expect(held.filter((i) => i.state !== 'NEW')).toEqual([]);
    // A retry after the close: the packaged execution function receives the messages at 16:30.
    const afterClose = marketTimeToInstant(day, '16:30');
    setSimulatedClock(home, afterClose);
    world.clock.set(afterClose);
    const lambda = offlineLambda(runtime.endpoint);
    try {
      const drain = await drainThroughOffline(
        {
          sqs: world.services.clients.sqs,
          queueUrl: world.executionQueueUrl,
          lambda,
          functionName: `strategy-books-${STAGE}-execution`,
          logger: world.services.logger,
        },
        { retryDelaySeconds: 1 },
      );
      expect(drain).toMatchObject({ failed: 0 });
      expect(drain.delivered).toBeGreaterThan(0);
    } finally {
      lambda.destroy();
    }
    const intents = await world.services.intents.listForRun(runId);
    expect(intents.length).toBeGreaterThan(0);
    for (const i of intents) {
      expect({ id: i.clientOrderId, state: i.state }).toEqual({ id: i.clientOrderId, state: 'EXPIRED' });
      expect(i.reason).toMatch(
        new RegExp(`expired unplaced: the run's trading session \\(${day}\\) closed at`),
      );
      // The broker never received it, for this day or for the next open.
      await expect(world.services.broker.getOrderByClientId(i.clientOrderId)).rejects.toBeInstanceOf(
        OrderNotFound,
      );
    }
    expect(await world.services.broker.listOpenOrders()).toEqual([]);
    expect(await checkInvariants(world.services, Money.parse('100000'), { strategyIds: IDS })).toEqual([]);
  }, 300_000);

  it("delivers a run's digest from the notifier's artifact to the stage's topic (SNS on moto)", async () => {
    if (!runtime) throw new Error('the artifacts did not start');
    const lambda = offlineLambda(runtime.endpoint);
    try {
      // The notifier from its own artifact, as the stage's rule hands it a run's RunCompleted:
      // the digest's plain text reaches the topic's subscribers.
      const last = DAYS[DAYS.length - 1];
      if (!last || !inbox) throw new Error('no day, or no topic');
      const completed = runCompletedEvent(
        { stage: STAGE, occurredAt: marketTimeToInstant(last, '16:00').toISOString() },
        { runId: runIdOf(STAGE, last), tradingDate: last },
      );
      await expect(
        invokeFunction(lambda, `strategy-books-${STAGE}-notifier`, {
          source: EVENT_SOURCE,
          'detail-type': completed.type,
          detail: JSON.parse(JSON.stringify(completed)),
        }),
      ).resolves.toEqual({ type: 'RunCompleted', id: completed.id });
      const received = await inbox.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: inbox.url, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }),
      );
      const notes = (received.Messages ?? []).map((m) =>
        z.object({ Subject: z.string(), Message: z.string() }).parse(JSON.parse(m.Body ?? '{}')),
      );
      expect(notes.map((n) => n.Subject)).toEqual([expect.stringContaining(`${STAGE} ${last}`)]);
      expect(notes[0]?.Message).toContain(runIdOf(STAGE, last));
    } finally {
      lambda.destroy();
    }
  }, 120_000);

  it('refreshes the bar store from the Alpaca-shaped data server', async () => {
    if (!runtime) throw new Error('the artifacts did not start');
    const lambda = offlineLambda(runtime.endpoint);
    try {
      const summary = z
        .object({
          outcomes: z.record(z.string(), z.number()),
          added: z.number(),
          failed: z.array(z.unknown()),
        })
        .parse(await invokeFunction(lambda, `strategy-books-${STAGE}-dataRefresh`, { today: '2024-03-15' }));
      expect(summary.failed).toEqual([]);
      expect(summary.added).toBe(REFRESHED.length * 2);
    } finally {
      lambda.destroy();
    }
    const s3 = testS3();
    try {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: `strategy-books-${STAGE}-bars`, Prefix: 'bars/' }),
      );
      expect((listed.Contents ?? []).length).toBeGreaterThanOrEqual(REFRESHED.length);
    } finally {
      s3.destroy();
    }
  }, 120_000);

  it('fails a function whose artifact lacks a file it reads, with no fallback to the workspace', async () => {
    const reconciler = runtime?.functions.get('reconciler');
    if (!runtime || !reconciler) throw new Error('the artifacts did not start');
    const config = join(reconciler.taskRoot, 'strategies', `config.${STAGE}.json`);
    rmSync(config);
    const lambda = offlineLambda(runtime.endpoint);
    try {
      await expect(
        invokeFunction(lambda, reconciler.fn.functionName, { date: DAYS[DAYS.length - 1] }),
      ).rejects.toThrow(`ENOENT: no such file or directory, open '${config}'`);
    } finally {
      lambda.destroy();
    }
  });

  it("reports a function's error under its class's name from the minified artifact, the errorType a Retry matches", async () => {
    const reconciler = runtime?.functions.get('reconciler');
    if (!runtime || !reconciler) throw new Error('the artifacts did not start');
    const config = join(reconciler.taskRoot, 'strategies', `config.${STAGE}.json`);
    writeFileSync(config, JSON.stringify({ strategies: 'none' }));
    const lambda = offlineLambda(runtime.endpoint);
    try {
      await expect(
        invokeFunction(lambda, reconciler.fn.functionName, { date: DAYS[DAYS.length - 1] }),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringContaining(`invalid strategy configuration ${config}`),
      });
    } finally {
      lambda.destroy();
    }
  });
});
