import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type BooksConfig,
  LEGACY,
  type Logger,
  Money,
  marketTimeToInstant,
  notional,
  parseBooksConfig,
  runIdOf,
  type StrategyId,
  TradingDate,
} from '@books/core';
import type { StackEndpoints } from '@books/local';
import { drainQueue, flowFlagsFile, type InjectionHooks, LocalWorld } from '@books/local';
import { CsvBarStore } from '@books/market-data';
import { strategyPnl } from '@books/operator';
import { reconcilerFunction } from '@books/reconciler';
import { mergedStrategies, type Services } from '@books/runtime';
import { BusyTime } from './busy-time';
import { legacyDay, legacyTradeTotals, writeReplayFlowFlags } from './flows';
import type { Progress } from './progress';
import {
  argsMismatch,
  type DayRecord,
  type ReplayArgs,
  type ReplayState,
  readReplayState,
  type StrategyDay,
  writeReplayState,
} from './state';
import { type ReplaySummary, summarise, type TradeTotals } from './summary';

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Wall-clock milliseconds spent in each stage of the days this call ran. */
export interface StageTimings {
  /** DailyRun state machine: coordinator plan + strategy workers (DSL, planning, SELLs enqueued). */
  planMs: number;
  /** The queue drained by the execution function (orders, fills, ledger transactions, BUYs released). */
  executionMs: number;
  /** The reconciler. */
  reconcileMs: number;
  /** Reading back the run, books and day's trades for the equity series. */
  recordMs: number;
  /** Within planMs: DSL evaluation in the workers (bars included; concurrent workers count once). */
  dslMs: number;
  /** Within planMs / executionMs: DynamoDB calls in flight (ledger reads, writes, transactions). */
  planLedgerMs: number;
  executionLedgerMs: number;
  /** Within planMs / executionMs: SQS calls in flight (SELLs enqueued, the queue polled, deletes). */
  planQueueMs: number;
  executionQueueMs: number;
}

export interface ReplayOptions {
  readonly endpoints: StackEndpoints;
  /** The replay's own stage (its table, queue and paper-broker account). */
  readonly stage: string;
  readonly args: ReplayArgs;
  readonly stateFile: string;
  readonly logger: Logger;
  readonly onProgress?: (p: Progress) => void;
  /** Stop after this many days in this call (an interruption, for tests and benchmarks). */
  readonly maxDays?: number;
  /** Asked after each day; true stops the replay there (e.g. after SIGINT). */
  readonly shouldStop?: () => boolean;
  /** Wall clock for elapsed time and stage timings, in ms. */
  readonly wallClockMs?: () => number;
  /** The stage's flow-flag file; default `flow-flags.<stage>.json` beside the state file. */
  readonly flowFlagsFile?: string;
  /** Hooks into the world's functions (benchmarks count and time their calls). */
  readonly inject?: InjectionHooks;
}

export interface ReplayResult {
  readonly summary: ReplaySummary;
  /** Every trading day of the range is done. */
  readonly complete: boolean;
  /** Days run by this call (a resumed replay skips those already done). */
  readonly daysRun: number;
  readonly totalDays: number;
  readonly timings: StageTimings;
  /** Every day recorded so far, and the stage's services (for a report over its ledger). */
  readonly days: readonly DayRecord[];
  readonly services: Services;
}

/** The configuration, checked so that every strategy file resolves next to it. */
export function loadReplayConfig(configFile: string): BooksConfig {
  const dir = dirname(configFile);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new ReplayError(`cannot read the configuration ${configFile}`, { cause: e });
  }
  // The daily cycle reads strategy files relative to the configuration's directory.
  return parseBooksConfig(raw, { source: configFile, fileExists: (f) => existsSync(join(dir, f)) });
}

/** Trading days of the bar store's calendar in [from, to]. */
export async function replayDays(dataDir: string, from: string, to: string): Promise<TradingDate[]> {
  const calendar = await new CsvBarStore(dataDir).calendar(to);
  return calendar.filter((d) => d >= from && d <= to);
}

/**
 * Runs the real daily cycle once per trading day of [from, to] on the given stack, then the
 * reconciler, recording each day's book equities in the resume state; continues after the last
 * completed day of an existing state with the same arguments. Returns the summary of every day
 * recorded so far.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const { args, stage, stateFile } = options;
  const wall = options.wallClockMs ?? (() => performance.now());
  const config = loadReplayConfig(args.config);
  const strategyIds = config.strategies.map((s) => s.id);
  const days = await replayDays(args.data, args.from, args.to);
  if (days.length === 0)
    throw new ReplayError(`no trading day of ${args.data} lies in ${args.from} … ${args.to}`);

  const stored = readReplayState(stateFile);
  if (stored) {
    // --to may move (a replay is extended or shortened) as long as no recorded day lies beyond it.
    const mismatch = argsMismatch({ ...stored.args, to: args.to }, args);
    if (mismatch)
      throw new ReplayError(
        `stage ${stage} holds a replay with other arguments (${mismatch}); use another --stage, or remove ${stateFile} and the stage's data`,
      );
    if (stored.lastCompletedDay !== null && stored.lastCompletedDay > args.to)
      throw new ReplayError(
        `stage ${stage} has already replayed up to ${stored.lastCompletedDay}, after --to ${args.to}; use another --stage`,
      );
  }

  const dsl = new BusyTime(wall);
  const ledger = new BusyTime(wall);
  const queue = new BusyTime(wall);
  const flagsFile = options.flowFlagsFile ?? flowFlagsFile(dirname(stateFile), stage);
  if (args.flow !== undefined) writeReplayFlowFlags(flagsFile, config, args.flow);
  const world = await LocalWorld.open({
    endpoints: options.endpoints,
    stage,
    barsDir: args.data,
    strategiesDir: dirname(args.config),
    configFile: basename(args.config),
    logger: options.logger,
    initialCash: args.initialCash,
    barsHorizon: TradingDate(args.to),
    flowFlagsFile: flagsFile,
    ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
    inject: {
      ...options.inject,
      worker: { ...options.inject?.worker, timings: { time: (_stage, work) => dsl.time(work) } },
    },
  });
  const services = world.services;
  services.clients.dynamodb.middlewareStack.add((next) => (a) => ledger.time(() => next(a)), {
    step: 'initialize',
    name: 'replayLedgerTime',
  });
  services.clients.sqs.middlewareStack.add((next) => (a) => queue.time(() => next(a)), {
    step: 'initialize',
    name: 'replayQueueTime',
  });
  if (!stored) {
    for (const sid of [...strategyIds, LEGACY])
      if (await services.books.readBook(sid))
        throw new ReplayError(
          `stage ${stage} already holds a book for ${sid} but no replay state (${stateFile}); use another --stage`,
        );
  }
  const state: ReplayState = stored
    ? { ...stored, args }
    : {
        version: 1,
        stage,
        args,
        lastCompletedDay: null,
        days: [],
      };

  const reconcile = reconcilerFunction(services);
  const timings: StageTimings = {
    planMs: 0,
    executionMs: 0,
    reconcileMs: 0,
    recordMs: 0,
    dslMs: 0,
    planLedgerMs: 0,
    executionLedgerMs: 0,
    planQueueMs: 0,
    executionQueueMs: 0,
  };
  const start = wall();
  const todo = days.filter((d) => state.lastCompletedDay === null || d > state.lastCompletedDay);
  let trades = state.days.reduce(
    (n, d) => n + Object.values(d.strategies).reduce((a, s) => a + s.trades, 0),
    0,
  );
  let daysRun = 0;
  for (const date of todo) {
    if (options.maxDays !== undefined && daysRun >= options.maxDays) break;
    // LocalWorld.runDay, split in its two stages so that each can be timed.
    const t0 = wall();
    const [d0, l0, q0] = [dsl.ms, ledger.ms, queue.ms];
    await world.planDay(date);
    const t1 = wall();
    const [d1, l1, q1] = [dsl.ms, ledger.ms, queue.ms];
    const drain = await drainQueue(
      services.clients.sqs,
      world.executionQueueUrl,
      world.functions.execution,
      services.logger,
      { retryDelaySeconds: 0 },
    );
    const t2 = wall();
    const [l2, q2] = [ledger.ms, queue.ms];
    const recon = await reconcile({ date });
    const t3 = wall();
    const record = await recordDay(services, config, date, drain, recon);
    const t4 = wall();
    timings.planMs += t1 - t0;
    timings.executionMs += t2 - t1;
    timings.reconcileMs += t3 - t2;
    timings.recordMs += t4 - t3;
    timings.dslMs += d1 - d0;
    timings.planLedgerMs += l1 - l0;
    timings.planQueueMs += q1 - q0;
    timings.executionLedgerMs += l2 - l1;
    timings.executionQueueMs += q2 - q1;

    state.days.push(record);
    state.lastCompletedDay = date;
    writeReplayState(stateFile, state);
    daysRun++;
    trades += Object.values(record.strategies).reduce((a, s) => a + s.trades, 0);
    options.onProgress?.({
      done: state.days.length,
      total: days.length,
      trades,
      elapsedMs: wall() - start,
      date,
    });
    if (options.shouldStop?.()) break;
  }

  const totals = await tradeTotals(services, config, args.from, args.to);
  return {
    summary: summarise({ from: args.from, to: args.to }, state.days, totals),
    complete: state.lastCompletedDay === days[days.length - 1],
    daysRun,
    totalDays: days.length,
    timings,
    days: state.days,
    services,
  };
}

/** One day's record: each strategy's status, equity and trades, the account and the reconciliation. */
export async function recordDay(
  services: Services,
  config: BooksConfig,
  date: TradingDate,
  drain: { delivered: number; succeeded: number; failed: number },
  recon: {
    ok: boolean;
    breaks: readonly { symbol: string; status: string; unexplained: string }[];
    cash: { status: string };
  },
): Promise<DayRecord> {
  const runId = runIdOf(services.env.BOOKS_STAGE, date);
  const run = await services.runs.listRunItems(runId);
  // Which books a break touches, from the stored reconciliation's per-strategy quantities.
  const stored = recon.ok ? undefined : await services.recon.latest(date);
  const holders = (symbol: string) =>
    (stored?.entries.find((e) => e.symbol === symbol)?.byStrategy ?? [])
      .filter((b) => !b.qty.isZero())
      .map((b): string => b.strategyId);
  const range = dayRange(date, date);
  const account = await services.broker.getAccount();
  const merged = await mergedStrategies(services, config);
  const status = (sid: StrategyId) =>
    run?.strategies.find((s) => s.strategyId === sid)?.status ??
    (sid === LEGACY ? (run?.meta.status ?? 'NO RUN') : 'NO RUN');
  const notDue = (sid: StrategyId) => run?.strategies.find((s) => s.strategyId === sid)?.notDue;
  const strategies: Record<string, StrategyDay> = {};
  for (const sid of config.strategies.map((s) => s.id).filter((id) => !merged.includes(id))) {
    const [pnl, fills] = await Promise.all([
      strategyPnl(services, sid),
      services.trades.listByStrategy(sid, range),
    ]);
    const reason = notDue(sid);
    strategies[sid] = {
      status: reason !== undefined ? 'NOT_DUE' : status(sid),
      equity: pnl.equity.toString(),
      transfersTotal: pnl.transfersTotal.toString(),
      trades: fills.length,
      ...(reason !== undefined ? { notDue: reason } : {}),
    };
  }
  if (merged.length > 0)
    Object.assign(
      strategies,
      await legacyDay(services, config, merged, await services.trades.listLegacy(range), status),
    );
  return {
    date,
    runId,
    runStatus: run?.meta.status ?? 'NO RUN',
    accountEquity: account.equity.toString(),
    drain: { delivered: drain.delivered, succeeded: drain.succeeded, failed: drain.failed },
    recon: {
      ok: recon.ok,
      breaks: recon.breaks.map((b) => ({
        symbol: b.symbol,
        status: b.status,
        unexplained: b.unexplained,
        strategies: holders(b.symbol),
      })),
      cashStatus: recon.cash.status,
    },
    strategies,
  };
}

function dayRange(from: string, to: string): { from: string; to: string } {
  return {
    from: marketTimeToInstant(TradingDate(from), '00:00').toISOString(),
    to: marketTimeToInstant(TradingDate(to), '23:59').toISOString(),
  };
}

/** Count, Σ |trade value| and fees of each strategy's ledger trades filled in the replay's range. */
export async function tradeTotals(
  services: Services,
  config: BooksConfig,
  from: string,
  to: string,
): Promise<Map<string, TradeTotals>> {
  const merged = await mergedStrategies(services, config);
  const out =
    merged.length > 0
      ? legacyTradeTotals(await services.trades.listLegacy(dayRange(from, to)), merged)
      : new Map<string, TradeTotals>();
  for (const sid of config.strategies.map((s) => s.id).filter((id) => !merged.includes(id))) {
    const trades = await services.trades.listByStrategy(sid, dayRange(from, to));
    out.set(sid, {
      count: trades.length,
      tradedValue: Money.sum(trades.map((t) => notional(t.filledQty, t.fillPrice).abs())),
      fees: Money.sum(trades.map((t) => t.fees)),
    });
  }
  return out;
}
