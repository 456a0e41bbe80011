/**
 * The cold start of each packaged function (`pnpm bench cold-start`): packages the service, then
 * for each function starts a fresh Node 22 process on its unpacked artifact (an ArtifactRuntime of
 * that function alone, plus the reconciler for execution, which invokes it) and invokes it once
 * with a representative event of one daily cycle, on a fresh in-memory embedded stack started and
 * stopped here, whose servers are warmed first on a scratch stage (only the function starts cold).
 * Measures the process start to ready (Node boot + module load), the handler module's load alone,
 * and the first invocation as its caller sees it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  createLogger,
  type Logger,
  marketTimeToInstant,
  runIdOf,
  StrategyId,
  TradingDate,
} from '@books/core';
import { EVENT_SOURCE, runCompletedEvent } from '@books/events';
import { generateSampleBars, sampleTradingDays } from '@books/market-data';
import * as z from 'zod';
import { LocalWorld } from '../daily-run/local-world';
import { drainQueue } from '../daily-run/queue-poller';
import { invokeFunction, offlineLambda } from '../dev/offline-lambda';
import { setSimulatedClock } from '../dev/run-via-offline';
import { LOCAL_REGION, type StackEndpoints } from '../stack/clients';
import { workspaceRoot } from '../stack/paths';
import { endpointsOf, startStack, stopStack } from '../stack/stack';
import { ArtifactRuntime } from './artifact-runtime';
import { type CallCounter, formatCalls, formatWaterfall, startCallCounter } from './call-counter';
import { packageService } from './package-service';
import { PACKAGED_TEMPLATE, readPackagedFunctions } from './packaged-template';

export interface ColdStartOptions {
  /**
   * An Alpaca-shaped market-data server for dataRefresh, with daily bars of the refreshed symbols,
   * and the Parameter Store holding its keys under the template's prefix
   * (`/strategy-books/local/alpaca/api-key-id`, `…/api-secret-key`).
   */
  readonly marketData: { readonly url: string; readonly ssmEndpoint: string };
  /**
   * Writes each function's CPU profile (`node --cpu-prof`: module load and the first invocation)
   * into this directory, as `<function>.cpuprofile`.
   */
  readonly cpuProfileDir?: string;
  /**
   * Counts the DynamoDB and SQS operations of each function's first invocation, through a
   * counting proxy in front of each server (which adds its own small delay to every call).
   */
  readonly countCalls?: boolean;
  /** With `countCalls`: also each first invocation's calls in the order they were sent, timed. */
  readonly waterfall?: boolean;
  /**
   * Leaves the embedded servers cold (default: warmed first). DynamoDB Local runs on the JVM and
   * answers its first few thousand requests several times slower while it compiles them; AWS's
   * DynamoDB is never cold. Cold servers measure the embedded stack's warm-up, not the function's.
   */
  readonly coldServers?: boolean;
  /** How many times to measure every function, each time on a fresh embedded stack (default 1). */
  readonly rounds?: number;
  /** Progress lines (packaging). */
  readonly progress?: (line: string) => void;
}

/** One function's cold start. */
export interface ColdStartRow {
  readonly key: string;
  readonly zipMb: number;
  readonly readyMs: number;
  readonly loadMs: number;
  readonly firstMs: number;
  /** CPU time of the function's process over the module load, and over its first invocation. */
  readonly loadCpuMs: number;
  readonly firstCpuMs: number;
  readonly note: string;
  /** Over several rounds: the median of module load + first invocation, and its least and most. */
  readonly totalMs?: number;
  readonly totalRangeMs?: readonly [number, number];
  /** With `countCalls`: the first invocation's DynamoDB and SQS operations. */
  readonly calls?: { readonly dynamodb: string; readonly sqs: string; readonly waterfall?: string[] };
}

const EventSourceSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({
      Type: z.string(),
      Properties: z
        .object({ BatchSize: z.number().int().positive().optional(), FunctionName: z.unknown().optional() })
        .optional(),
    }),
  ),
});

/** The batch size of the SQS event source of the function `logicalId` in the packaged template. */
function batchSizeOf(packageDir: string, logicalId: string): number {
  const template = EventSourceSchema.parse(
    JSON.parse(readFileSync(path.join(packageDir, PACKAGED_TEMPLATE), 'utf8')),
  );
  const mapping = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }),
  );
  const size = mapping?.Properties?.BatchSize;
  if (size === undefined) throw new Error(`the packaged template gives ${logicalId} no SQS batch size`);
  return size;
}

/** One line of a sandbox's BOOKS_ARTIFACT_STATS file (artifact-host.mjs). */
const StatSchema = z.object({ kind: z.enum(['load', 'invoke']), wallMs: z.number(), cpuMs: z.number() });

/** The CPU milliseconds of a sandbox's module load and first invocation, from its stats file. */
function cpuOf(file: string): { loadCpuMs: number; firstCpuMs: number } {
  const stats = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => StatSchema.parse(JSON.parse(line)));
  return {
    loadCpuMs: stats.find((s) => s.kind === 'load')?.cpuMs ?? Number.NaN,
    firstCpuMs: stats.find((s) => s.kind === 'invoke')?.cpuMs ?? Number.NaN,
  };
}

const STAGE = 'local';
const WARM_UP_STAGE = 'warmup';
const DATE = TradingDate('2024-03-15');
/** Issue 16's goal for module load + first invocation of the functions on the daily run's path. */
export const COLD_START_GOAL_MS = 300;
const WITH_GOAL = new Set(['coordinator', 'strategyWorker', 'execution']);

const PlanSchema = z.object({
  proceed: z.literal(true),
  runId: z.string(),
  run: z.unknown(),
  items: z.array(z.unknown()).min(1),
  legacy: z.unknown().optional(),
});

type Invoke = (functionName: string, event: unknown) => Promise<unknown>;

/**
 * Packages the service and measures every function's cold start, in daily-cycle order, `rounds`
 * times (each round on a fresh embedded stack): each figure is the median of the rounds, and
 * `totalRangeMs` the least and the most module load + first invocation seen.
 */
export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartRow[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'books-cold-start-'));
  const logger = createLogger(
    { service: 'bench-cold-start' },
    { level: 'error', destination: process.stderr },
  );
  try {
    const t0 = performance.now();
    const packageDir = await packageService({ stage: STAGE, outDir: path.join(root, 'package') });
    options.progress?.(`packaged (sls package --stage ${STAGE}) in ${seconds(performance.now() - t0)}`);
    const rounds: ColdStartRow[][] = [];
    for (let round = 1; round <= (options.rounds ?? 1); round++) {
      rounds.push(await measureRound(packageDir, path.join(root, `round-${round}`), options, logger));
      options.progress?.(`round ${round} of ${options.rounds ?? 1} measured`);
    }
    return medianRows(rounds);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Each function's row over the rounds: the median of each figure; notes and calls of the first. */
export function medianRows(rounds: readonly (readonly ColdStartRow[])[]): ColdStartRow[] {
  const [first = []] = rounds;
  return first.map((row) => {
    const all = rounds.map((r) => r.find((x) => x.key === row.key) ?? row);
    const median = (of: (r: ColdStartRow) => number) => {
      const sorted = all.map(of).sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 === 1
        ? (sorted[mid] ?? Number.NaN)
        : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
    };
    const totals = all.map((r) => r.loadMs + r.firstMs);
    return {
      ...row,
      zipMb: median((r) => r.zipMb),
      readyMs: median((r) => r.readyMs),
      loadMs: median((r) => r.loadMs),
      firstMs: median((r) => r.firstMs),
      totalMs: median((r) => r.loadMs + r.firstMs),
      totalRangeMs: [Math.min(...totals), Math.max(...totals)],
      loadCpuMs: median((r) => r.loadCpuMs),
      firstCpuMs: median((r) => r.firstCpuMs),
    };
  });
}

/** One round: a fresh embedded stack (warmed unless cold servers are asked for), each function once. */
async function measureRound(
  packageDir: string,
  root: string,
  options: ColdStartOptions,
  logger: Logger,
): Promise<ColdStartRow[]> {
  const home = path.join(root, 'home');
  const stack = await startStack({
    home: path.join(root, 'stack'),
    persist: false,
    record: false,
    stage: STAGE,
  });
  const counters: CallCounter[] = [];
  try {
    const endpoints = endpointsOf(stack);
    const counter = async (target: string): Promise<CallCounter> => {
      const c = await startCallCounter(target);
      counters.push(c);
      return c;
    };
    const counted = options.countCalls
      ? { dynamodb: await counter(endpoints.dynamodb), sqs: await counter(endpoints.sqs) }
      : undefined;
    if (!options.coldServers) {
      const t = performance.now();
      await warmUpServers(endpoints, path.join(root, 'warm-up'), logger);
      options.progress?.(
        `embedded servers warmed up (a week of runs on a scratch stage) in ${seconds(performance.now() - t)}`,
      );
    }
    mkdirSync(path.join(home, 'sample-bars'), { recursive: true });
    writeFileSync(
      path.join(home, 'stack.json'),
      JSON.stringify({
        stage: STAGE,
        dynamodb: { endpoint: counted?.dynamodb.url ?? endpoints.dynamodb },
        sqs: { endpoint: counted?.sqs.url ?? endpoints.sqs },
      }),
    );
    for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2023-01-03', '2024-06-28')))
      writeFileSync(path.join(home, 'sample-bars', `${symbol}.csv`), csv);
    const strategies = path.join(root, 'strategies');
    cpSync(path.join(workspaceRoot(), 'strategies'), strategies, { recursive: true });
    const world = await LocalWorld.open({
      endpoints,
      stage: STAGE,
      barsDir: path.join(home, 'sample-bars'),
      strategiesDir: strategies,
      configFile: `config.${STAGE}.json`,
      flowFlagsFile: path.join(home, `flow-flags.${STAGE}.json`),
      logger,
    });
    // One strategy on the merged flow, so the plan has a legacy part for the legacy function.
    await world.services.flows.set(StrategyId('momentum'), 'legacy');
    setSimulatedClock(home, marketTimeToInstant(DATE, '15:30'));
    const s3 = new S3Client({
      region: LOCAL_REGION,
      endpoint: endpoints.sqs,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: `strategy-books-${STAGE}-bars` }));
    s3.destroy();
    // The stage's topic the notifier publishes to (the embedded SQS server answers SNS too).
    const sns = new SNSClient({
      region: LOCAL_REGION,
      endpoint: endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const topicArn = z
      .string()
      .parse((await sns.send(new CreateTopicCommand({ Name: `strategy-books-${STAGE}-alarms` }))).TopicArn);
    sns.destroy();
    const market = options.marketData;
    const zips = new Map(readPackagedFunctions(packageDir).map((f) => [f.key, f]));
    const profileDir = options.cpuProfileDir === undefined ? undefined : path.resolve(options.cpuProfileDir);
    if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
    /** With a profile directory, each sandbox writes its CPU profile there when it exits. */
    const nodeOptions = (key: string): Record<string, string> =>
      profileDir === undefined
        ? {}
        : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-name=${key}.cpuprofile` };

    /** A fresh sandbox of `key` (and of `alongside`, which it invokes), one timed invocation. */
    const measure = async <T>(
      key: string,
      first: (invoke: Invoke, name: string) => Promise<{ result: T; note: string }>,
      alongside: readonly string[] = [],
    ): Promise<{ row: ColdStartRow; result: T }> => {
      const fn = zips.get(key);
      if (!fn) throw new Error(`no packaged function ${key}`);
      const started = performance.now();
      const statsFile = (f: string) => path.join(root, `stats-${f}.jsonl`);
      const runtime = await ArtifactRuntime.start({
        packageDir,
        workDir: path.join(root, `run-${key}`),
        functions: [key, ...alongside],
        booksHome: home,
        references: {
          LedgerTable: world.services.env.BOOKS_TABLE_NAME,
          ExecutionQueue: world.executionQueueUrl,
          BarsBucket: `strategy-books-${STAGE}-bars`,
          AlarmTopic: topicArn,
        },
        env: (f): Record<string, string> => ({
          BOOKS_ARTIFACT_STATS: statsFile(f.key),
          // The notifier's topic on the embedded server; its webhook parameter (absent) in the Parameter Store.
          ...(f.key === 'notifier'
            ? { BOOKS_SNS_ENDPOINT: endpoints.sqs, BOOKS_SSM_ENDPOINT: market.ssmEndpoint }
            : {}),
          ...(f.key === 'dataRefresh'
            ? {
                BOOKS_S3_ENDPOINT: endpoints.sqs,
                BOOKS_ALPACA_DATA_URL: market.url,
                BOOKS_BARS_HISTORY_START: '2024-03-01',
                BOOKS_SSM_ENDPOINT: market.ssmEndpoint,
                ...nodeOptions(f.key),
              }
            : {
                IS_OFFLINE: 'true',
                BOOKS_LOG_LEVEL: 'warn',
                ...nodeOptions(f.key),
              }),
        }),
      });
      const readyMs = performance.now() - started;
      const lambda = offlineLambda(runtime.endpoint);
      try {
        const cold = await runtime.coldStart(key);
        if (cold.initError)
          throw new Error(`${key}: ${cold.initError.errorType}: ${cold.initError.errorMessage}`);
        let firstMs = 0;
        let timed = false;
        let calls: ColdStartRow['calls'];
        const invoke: Invoke = async (name, event) => {
          const timing = !timed && name === fn.functionName;
          counted?.dynamodb.take();
          counted?.sqs.take();
          const t = performance.now();
          const out = await invokeFunction(lambda, name, event);
          if (timing) {
            timed = true;
            firstMs = performance.now() - t;
            if (counted) {
              const dynamodb = counted.dynamodb.take();
              const sqs = counted.sqs.take();
              calls = {
                dynamodb: formatCalls(dynamodb.counts),
                sqs: formatCalls(sqs.counts),
                ...(options.waterfall
                  ? {
                      waterfall: formatWaterfall(
                        [...dynamodb.calls, ...sqs.calls].sort((a, b) => a.atMs - b.atMs),
                      ),
                    }
                  : {}),
              };
            }
          }
          return out;
        };
        const { result, note } = await first(invoke, fn.functionName);
        const zipMb = statSync(fn.zipFile).size / 1024 / 1024;
        const cpu = cpuOf(statsFile(key));
        return {
          row: {
            key,
            zipMb,
            readyMs,
            loadMs: cold.loadMs,
            firstMs,
            ...cpu,
            note,
            ...(calls ? { calls } : {}),
          },
          result,
        };
      } finally {
        lambda.destroy();
        await runtime.stop();
      }
    };

    const rows: ColdStartRow[] = [];
    const plan = await measure('coordinator', async (invoke, name) => {
      const result = PlanSchema.parse(
        await invoke(name, {
          phase: 'plan',
          executionId: `bench:${STAGE}:${DATE}`,
          trigger: { tradingDate: DATE },
        }),
      );
      return { result, note: `plan: ${result.items.length} strategies` };
    });
    rows.push(plan.row);
    const workers = await measure('strategyWorker', async (invoke, name) => {
      const outcomes: unknown[] = [];
      // As DailyRun's Map hands them out (its ItemSelector): the run-wide fields and the item.
      for (const item of plan.result.items) outcomes.push(await invoke(name, { run: plan.result.run, item }));
      return { result: outcomes, note: `${plan.result.items.length} items, the first timed` };
    });
    rows.push(workers.row);
    if (plan.result.legacy !== undefined) {
      const legacy = await measure('legacy', async (invoke, name) => {
        await invoke(name, {
          runId: plan.result.runId,
          legacy: plan.result.legacy,
          outcomes: workers.result,
        });
        return { result: undefined, note: 'the merged flow of one strategy' };
      });
      rows.push(legacy.row);
    }
    const execution = await measure(
      'execution',
      async (invoke, name) => {
        // Batches as the template's event source delivers them, so the first one is a deployed first.
        const batchSize = batchSizeOf(packageDir, zips.get('execution')?.logicalId ?? '');
        const drain = await drainQueue(
          world.services.clients.sqs,
          world.executionQueueUrl,
          (event) => invoke(name, event),
          logger,
          { retryDelaySeconds: 1, batchSize },
        );
        return {
          result: drain,
          note: `${drain.delivered} messages in batches of ${batchSize}, the first timed`,
        };
      },
      ['reconciler'],
    );
    rows.push(execution.row);
    rows.push(
      (
        await measure('reconciler', async (invoke, name) => {
          const summary = z.object({ ok: z.boolean() }).parse(await invoke(name, { date: DATE }));
          return { result: summary, note: summary.ok ? 'reconciles: MATCH' : 'reconciles: BREAKS' };
        })
      ).row,
    );
    rows.push(
      (
        await measure('notifier', async (invoke, name) => {
          // As the stage's rule delivers the run's RunCompleted.
          const event = runCompletedEvent(
            { stage: STAGE, occurredAt: marketTimeToInstant(DATE, '16:00').toISOString() },
            { runId: runIdOf(STAGE, DATE), tradingDate: DATE },
          );
          await invoke(name, {
            source: EVENT_SOURCE,
            'detail-type': event.type,
            detail: JSON.parse(JSON.stringify(event)),
          });
          return { result: undefined, note: "the run's digest published to the topic" };
        })
      ).row,
    );
    rows.push(
      (
        await measure('dataRefresh', async (invoke, name) => {
          const summary = z.object({ added: z.number() }).parse(await invoke(name, { today: DATE }));
          return { result: summary, note: `${summary.added} bars added from the Alpaca-shaped server` };
        })
      ).row,
    );
    return rows;
  } finally {
    for (const counter of counters) await counter.close();
    await stopStack(stack);
  }
}

/** The figures as a table, with the goal checked for the daily run's functions. */
export function formatColdStarts(rows: readonly ColdStartRow[], rounds = 1): string {
  const header = [
    'function',
    'zip MB',
    'start→ready',
    'module load',
    'first invoke',
    'load+first',
    'least–most',
    'goal',
    'CPU load',
    'CPU first',
    'event',
  ];
  const lines = rows.map((r) => {
    const total = r.totalMs ?? r.loadMs + r.firstMs;
    const range = r.totalRangeMs ? `${r.totalRangeMs[0].toFixed(0)}–${r.totalRangeMs[1].toFixed(0)} ms` : '-';
    const goal = WITH_GOAL.has(r.key)
      ? total <= COLD_START_GOAL_MS
        ? `ok ≤ ${COLD_START_GOAL_MS}`
        : `OVER ${COLD_START_GOAL_MS}`
      : '-';
    return [
      r.key,
      r.zipMb.toFixed(2),
      ms(r.readyMs),
      ms(r.loadMs),
      ms(r.firstMs),
      ms(total),
      range,
      goal,
      ms(r.loadCpuMs),
      ms(r.firstCpuMs),
      r.note,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [
    `cold start per function: a fresh Node 22 process on its unpacked artifact, one invocation; medians of ${rounds} round(s); load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    format(header),
    ...lines.map(format),
    ...rows.flatMap((r) =>
      r.calls
        ? [
            `${r.key} first invoke's calls: DynamoDB ${r.calls.dynamodb}; SQS ${r.calls.sqs}`,
            ...(r.calls.waterfall ?? []),
          ]
        : [],
    ),
    'start→ready: spawn to listening (Node boot + module load); module load: the handler file loaded as Lambda loads it;',
    'first invoke: the first invocation, as its caller sees it (services built lazily on it);',
    "CPU load / CPU first: the function process's CPU time over each (steady when other processes share the cores)",
    'the functions run on the embedded stack (IS_OFFLINE), its servers warmed first unless --cold-servers: plain-HTTP',
    'DynamoDB Local and the simulated broker, whose setup (its table made by LocalWorld, its calendar read from',
    "the sample bars when first needed) and account (the paper-broker table, beside the ledger's calls: --calls) a",
    'deployed function does not have: it reads its keys and calls Alpaca over HTTPS instead',
    '',
  ].join('\n');
}

/**
 * DynamoDB Local (a JVM) and the SQS server answer their first requests slowly while they compile
 * them; AWS's servers are always warm. A week of daily runs of the sample strategies on a scratch
 * stage (its own tables) before any function is measured, so only the function starts cold.
 */
async function warmUpServers(endpoints: StackEndpoints, dir: string, logger: Logger): Promise<void> {
  const barsDir = path.join(dir, 'bars');
  mkdirSync(barsDir, { recursive: true });
  for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2024-01-02', '2024-03-15')))
    writeFileSync(path.join(barsDir, `${symbol}.csv`), csv);
  const strategiesDir = path.join(dir, 'strategies');
  cpSync(path.join(workspaceRoot(), 'strategies'), strategiesDir, { recursive: true });
  const world = await LocalWorld.open({
    endpoints,
    stage: WARM_UP_STAGE,
    barsDir,
    strategiesDir,
    configFile: `config.${STAGE}.json`,
    logger,
  });
  for (const day of sampleTradingDays('2024-03-04', '2024-03-08')) await world.runDay(day);
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}
