import { basename, dirname } from 'node:path';
import { type Logger, TradingDate } from '@books/core';
import {
  InMemoryDynamoDb,
  InMemorySqs,
  inProcessDynamoDbClient,
  inProcessSqsClient,
} from '@books/in-process';
import { drainQueue, type InjectionHooks, LocalWorld } from '@books/local';
import { reconcilerFunction } from '@books/reconciler';
import type { Services } from '@books/runtime';
import { loadReplayConfig, ReplayError, recordDay, replayDays, tradeTotals } from '../replay/engine';
import type { Progress } from '../replay/progress';
import type { DayRecord } from '../replay/state';
import { type ReplaySummary, summarise } from '../replay/summary';

/**
 * A backtest: the daily cycle of `books replay` — the same state machine, coordinator, strategy
 * workers, execution, reconciler, repositories and simulated broker, day after day — with the
 * ledger table, the paper broker's account and the execution queue held in this process
 * (`@books/in-process` answers the AWS SDK clients' DynamoDB and SQS calls: no server, no port).
 * Nothing persists: a backtest is not resumable, and starts from an empty ledger each time.
 *
 * Only the transport differs from a replay, so a backtest and a replay of the same days, config,
 * bars and cash give the same trades, books and P&L (a test holds it to the cent).
 */

export interface BacktestArgs {
  readonly from: string;
  readonly to: string;
  /** The configuration file; its strategy files are read beside it. */
  readonly config: string;
  /** The CSV bars directory. */
  readonly data: string;
  readonly initialCash: string;
  /** false: the simulated broker applies none of the data's corporate actions (default: it does). */
  readonly corporateActions?: boolean;
}

export interface BacktestOptions {
  readonly args: BacktestArgs;
  readonly logger: Logger;
  /** The stage name the run ids and table names carry (default `backtest`). */
  readonly stage?: string;
  readonly onProgress?: (p: Progress) => void;
  readonly wallClockMs?: () => number;
  /** Hooks into the world's functions (tests, benchmarks). */
  readonly inject?: InjectionHooks;
}

export interface BacktestResult {
  /** The stage name its run ids carry. */
  readonly stage: string;
  readonly summary: ReplaySummary;
  /** Every day of the range ran (always, unless a day threw). */
  readonly complete: boolean;
  readonly totalDays: number;
  readonly days: readonly DayRecord[];
  /** The in-process stage's services, for the report and for reading its ledger afterwards. */
  readonly services: Services;
  readonly elapsedMs: number;
}

/**
 * Execution's pauses (awaiting a fill, a symbol lease) are real time in a deployed function; the
 * simulated broker fills on the simulated clock, which stands still within a day, so a backtest
 * only yields the turn: whatever the pause waits for is another task of this process.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const { args } = options;
  const stage = options.stage ?? 'backtest';
  const wall = options.wallClockMs ?? (() => performance.now());
  const config = loadReplayConfig(args.config);
  const days = await replayDays(args.data, args.from, args.to);
  if (days.length === 0)
    throw new ReplayError(`no trading day of ${args.data} lies in ${args.from} … ${args.to}`);

  const dynamodb = new InMemoryDynamoDb();
  const world = await LocalWorld.open({
    inProcess: {
      dynamodb: inProcessDynamoDbClient(dynamodb),
      sqs: inProcessSqsClient(new InMemorySqs()),
    },
    stage,
    barsDir: args.data,
    strategiesDir: dirname(args.config),
    configFile: basename(args.config),
    logger: options.logger,
    initialCash: args.initialCash,
    barsHorizon: TradingDate(args.to),
    ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
    // The definition is serverless.yml's, which `books run`, replays and the tests check: a
    // backtest spares the check's half second of JSON-schema compiling.
    checkDefinition: false,
    inject: {
      ...options.inject,
      execution: { sleep: nextTurn, ...options.inject?.execution },
    },
  });
  const services = world.services;
  const reconcile = reconcilerFunction(services);
  const start = wall();
  const records: DayRecord[] = [];
  let trades = 0;
  for (const date of days) {
    await world.planDay(date);
    // As a replay drains it, minus the pauses a polled server needs: nothing arrives while idle.
    const drain = await drainQueue(
      services.clients.sqs,
      world.executionQueueUrl,
      world.functions.execution,
      services.logger,
      { retryDelaySeconds: 0, idleRounds: 1, emptyReceiveDelayMs: 0 },
    );
    const recon = await reconcile({ date });
    const record = await recordDay(services, config, date, drain, recon);
    // DynamoDB's TTL deletion on the simulated clock (published outbox events, leases): the
    // backtest's memory holds what the deployed table would, not every item ever expired.
    dynamodb.deleteExpired(world.clock.now().getTime());
    records.push(record);
    trades += Object.values(record.strategies).reduce((a, s) => a + s.trades, 0);
    options.onProgress?.({
      done: records.length,
      total: days.length,
      trades,
      elapsedMs: wall() - start,
      date,
    });
  }
  const totals = await tradeTotals(services, config, args.from, args.to);
  return {
    stage,
    summary: summarise({ from: args.from, to: args.to }, records, totals),
    complete: records.length === days.length,
    totalDays: days.length,
    days: records,
    services,
    elapsedMs: wall() - start,
  };
}
