import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createLogger, StrategyId, TradingDate } from '@books/core';
import { generateSampleBars, sampleTradingDays } from '@books/market-data';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import { type OfflineServer, startOffline } from '../../src/dev/offline-server';
import { runDayViaOffline } from '../../src/dev/run-via-offline';
import { workspaceRoot } from '../../src/stack';
import { freePort } from '../../src/stack/processes';

const STRATEGY_IDS = ['breakout', 'mean_reversion', 'momentum'].map((s) => StrategyId(s));

/**
 * The dev loop end to end: serverless-offline as a child process serving the bundled functions
 * (under IS_OFFLINE, so on the embedded test stack through the local overlay), and one trading day
 * run with --via-offline semantics: DailyRun's Tasks and the execution queue both go through
 * offline's Lambda endpoint.
 */
describe('a trading day through serverless-offline', () => {
  const root = mkdtempSync(join(tmpdir(), 'books-dev-'));
  const home = join(root, '.books');
  const stage = uniqueName('devloop')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 24);
  let offline: OfflineServer | undefined;
  let world: LocalWorld;

  beforeAll(async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
    // What `books stack up` leaves for the functions: a stack record, sample bars, and the
    // strategies beside the home with this stage's configuration.
    mkdirSync(join(home, 'sample-bars'), { recursive: true });
    writeFileSync(
      join(home, 'stack.json'),
      JSON.stringify({ stage, dynamodb: { endpoint: dynamodb }, sqs: { endpoint: sqs } }),
    );
    for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2023-01-03', '2024-06-28')))
      writeFileSync(join(home, 'sample-bars', `${symbol}.csv`), csv);
    const strategies = join(root, 'strategies');
    cpSync(join(workspaceRoot(), 'strategies'), strategies, { recursive: true });
    writeFileSync(
      join(strategies, `config.${stage}.json`),
      readFileSync(join(strategies, 'config.local.json')),
    );
    world = await LocalWorld.open({
      endpoints: { dynamodb, sqs },
      stage,
      barsDir: join(home, 'sample-bars'),
      strategiesDir: strategies,
      logger: createLogger({ service: 'dev-test' }, { level: 'warn', destination: { write: () => true } }),
    });
    const [lambdaPort, httpPort] = await Promise.all([freePort(), freePort()]);
    offline = await startOffline({
      stage,
      lambdaPort,
      httpPort,
      booksHome: home,
      logFile: join(root, 'offline.log'),
      reload: false,
    });
  }, 240_000);

  afterAll(async () => {
    await offline?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('records the day’s trades in the ledger and leaves the execution queue empty', async () => {
    if (!offline) throw new Error('serverless-offline did not start');
    const date = TradingDate('2024-03-15');
    const result = await runDayViaOffline(world, date, { lambdaEndpoint: offline.endpoint, booksHome: home });

    expect(result.plan).toMatchObject({ runId: `${stage}-${date}`, status: 'DISPATCHED' });
    expect(result.drain.delivered).toBeGreaterThan(0);
    const trades = (
      await Promise.all(STRATEGY_IDS.map((s) => world.services.trades.listByStrategy(s)))
    ).flat();
    expect(trades.length).toBeGreaterThan(0);
    // Filled on the simulated day, at that day's close: the offline functions ran on its clock.
    for (const t of trades) expect(t.filledAt.slice(0, 10)).toBe(date);
    const attrs = await world.services.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: world.executionQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  }, 180_000);
});
