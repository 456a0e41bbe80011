import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BoundedMemo,
  capitalPolicyFromWire,
  type LambdaContext,
  marketDateOf,
  memoisedUnlessRejected,
  parseBooksConfig,
  RunId,
  runIdOf,
  TradingDate,
} from '@books/core';
import { barPortFrom, DEFAULT_LIMITS } from '@books/dsl';
import { hasCorporateActions, splitAdjustedBars } from '@books/market-data';
import type { PlannedTrade } from '@books/portfolio';
import {
  MapWorkerEventSchema,
  mapOutcomeOf,
  type ParsedWorkerItem,
  WorkerItemSchema,
  type WorkerResult,
  workerItemOf,
} from '@books/run-contract';
import { BrokerMarket, type LambdaFunction, liveBars, type Services } from '@books/runtime';
import * as z from 'zod';

import { DslEvaluator, type PreviousTradingDay } from './adapters/dsl-evaluator';
import { LedgerWorkerControls } from './adapters/ledger-controls';
import { LedgerStrategyRuns } from './adapters/ledger-strategy-runs';
import type { StrategyEvaluator } from './ports';
import {
  runStrategy,
  type StrategyOutcome,
  type StrategyRunDeps,
  type StrategyRunInput,
} from './run-strategy';

/** `sls invoke local -f strategyWorker --data '{"strategy":"momentum.clj","dryRun":true}'`. */
const SingleStrategySchema = z.object({
  strategy: z.string().min(1),
  dryRun: z.literal(true, { error: () => 'a single-strategy invocation is a dry run: pass "dryRun": true' }),
  asOf: z.string().optional(),
});

/**
 * DailyRun's Map event (the plan's run-wide fields and the strategy's item), a whole WorkerItem,
 * or a local single-strategy dry run.
 */
export const WorkerEventSchema = z.union([MapWorkerEventSchema, WorkerItemSchema, SingleStrategySchema]);

export interface WorkerOptions {
  /** A replay loads bars up to its last day once (see DslEvaluator). */
  readonly barsHorizon?: TradingDate;
  /** Benchmarks: runs each DSL evaluation through `time` (which may time it); default: none. */
  readonly timings?: { time<T>(stage: 'dsl', work: () => Promise<T>): Promise<T> };
}

/**
 * Reads a strategy file of the stage; one larger than the language accepts is refused before it
 * is read (no character takes more than 4 bytes of UTF-8).
 */
export function strategySourceReader(dir: string): (file: string) => Promise<string> {
  return async (file) => {
    const path = join(dir, file);
    const { size } = await stat(path);
    if (size > 4 * DEFAULT_LIMITS.maxSourceChars)
      throw new Error(
        `${size} bytes, larger than a strategy file may be (${DEFAULT_LIMITS.maxSourceChars} characters)`,
      );
    return readFile(path, 'utf8');
  };
}

export function strategyWorkerFunction(
  services: Services,
  options: WorkerOptions = {},
): LambdaFunction<WorkerResult> {
  const { env, clock, logger } = services;
  if (!services.bars) throw new Error('the strategy worker needs a bar store (BOOKS_BARS)');
  const readSource = strategySourceReader(env.BOOKS_STRATEGIES_DIR);
  // Live trading evaluates on today's provisional bar; the simulator (and replays) on completed bars.
  const bars =
    env.BOOKS_BROKER_MODE === 'simulated' ? services.bars : liveBars(services.bars, services.broker, clock);
  // Indicators read split-adjusted closes (a split is no drawdown); sizing and valuation read raw prices.
  const indicatorBars = hasCorporateActions(services.bars) ? splitAdjustedBars(bars, services.bars) : bars;
  const dsl = new DslEvaluator(readSource, barPortFrom(indicatorBars), options.barsHorizon, {
    previousTradingDay: previousTradingDayOf(services.broker),
    completedBars: barPortFrom(services.bars),
  });
  const timings = options.timings;
  const evaluator: StrategyEvaluator = timings
    ? { evaluate: (file, asOf) => timings.time('dsl', () => dsl.evaluate(file, asOf)) }
    : dsl;
  const ledger = new LedgerStrategyRuns(services.table, services.books, services.runs, clock);
  const market = new BrokerMarket(services.broker);
  const deps: StrategyRunDeps = {
    evaluator,
    books: ledger,
    market,
    runs: ledger,
    history: {
      lastRebalance: (strategyId) => ledger.lastRebalance(strategyId),
      tradingDays: tradingDaysOf(services.broker),
    },
    queue: services.queue,
    logger: logger.child({ function: 'strategyWorker' }),
    controls: new LedgerWorkerControls(services.controlLedger),
  };

  return async (raw, context: LambdaContext) => {
    const event = WorkerEventSchema.parse(raw);
    const invocation = { ...deps, logger: deps.logger.child({ requestId: context.awsRequestId }) };
    if ('run' in event)
      // The Map keeps only what Finish and Legacy read of each strategy's result.
      return mapOutcomeOf(summarise(await runStrategy(invocation, mapItemInput(workerItemOf(event)))));
    const input =
      'strategy' in event
        ? await singleStrategyInput(services, event.strategy, event.asOf)
        : mapItemInput(event);
    return summarise(await runStrategy(invocation, input));
  };
}

/**
 * How far back one calendar read for a date reaches: every schedule's last rebalance (a yearly one
 * and a year's slack) falls inside it.
 */
const CALENDAR_WINDOW_DAYS = 400;
/** The calendar reads a process keeps, of each kind (one per date the worker plans for). */
const CALENDAR_WINDOWS_KEPT = 8;

/**
 * The market calendar's trading days between two dates, both included (the rebalance schedule's).
 * The broker's calendar is read once per `to` date for the CALENDAR_WINDOW_DAYS before it, and
 * every schedule of that date is answered from that read: a warm worker plans many strategies of
 * one run, and each read is a request against the account's broker budget (one per scheduled
 * strategy before). A `from` before the window is read as asked. A failed read is not kept.
 */
export function tradingDaysOf(
  broker: Pick<Services['broker'], 'getCalendar'>,
): (from: TradingDate, to: TradingDate) => Promise<readonly TradingDate[]> {
  const windows = new BoundedMemo<Promise<readonly TradingDate[]>>(CALENDAR_WINDOWS_KEPT);
  return async (from, to) => {
    const start = daysBefore(to, CALENDAR_WINDOW_DAYS);
    if (from < start) return (await broker.getCalendar(from, to)).map((d) => d.date);
    const window = memoisedUnlessRejected(windows, to, async () =>
      (await broker.getCalendar(start, to)).map((d) => d.date),
    );
    return (await window).filter((d) => d >= from);
  };
}

/** The date `days` calendar days before `date`. */
function daysBefore(date: TradingDate, days: number): TradingDate {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - days);
  return TradingDate(day.toISOString().slice(0, 10));
}

/**
 * The market calendar's trading day before a date, from the broker's calendar (memoised per date,
 * for the last CALENDAR_WINDOWS_KEPT dates; a failed read is not kept).
 */
export function previousTradingDayOf(broker: Pick<Services['broker'], 'getCalendar'>): PreviousTradingDay {
  const known = new BoundedMemo<Promise<TradingDate | undefined>>(CALENDAR_WINDOWS_KEPT);
  return (asOf) =>
    memoisedUnlessRejected(
      known,
      asOf,
      async () =>
        (await broker.getCalendar(daysBefore(asOf, 14), asOf)).filter((d) => d.date < asOf).at(-1)?.date,
    );
}

function mapItemInput(item: ParsedWorkerItem): StrategyRunInput {
  return {
    runId: item.runId,
    strategyId: item.strategyId,
    file: item.file,
    allocation: item.allocation,
    asOf: item.asOf,
    accountEquity: item.accountEquity,
    policy: capitalPolicyFromWire(item.capitalPolicy),
    minTradeNotional: item.minTradeNotional,
    dryRun: item.dryRun,
    plannedAt: item.plannedAt,
    flow: item.flow,
    ...(item.topUpLimit ? { topUpLimit: item.topUpLimit } : {}),
    ...(item.cashReserve ? { cashReserve: item.cashReserve } : {}),
    ...(item.liquidate ? { liquidate: item.liquidate } : {}),
    ...(item.dailyNotionalCap ? { dailyNotionalCap: item.dailyNotionalCap } : {}),
    ...(item.drawdownStop ? { drawdownStop: item.drawdownStop } : {}),
  };
}

/** A dry run of one strategy from the stage's config, as of today (or `asOf`). */
async function singleStrategyInput(
  services: Services,
  file: string,
  asOf?: string,
): Promise<StrategyRunInput> {
  const { env, clock } = services;
  const path = join(env.BOOKS_STRATEGIES_DIR, env.BOOKS_STRATEGIES_CONFIG);
  const config = parseBooksConfig(JSON.parse(await readFile(path, 'utf8')), { source: path });
  const entry = config.strategies.find((s) => s.file === file || s.id === file);
  if (!entry) throw new Error(`${file} is not a strategy of ${path}`);
  const account = await services.broker.getAccount();
  const now = clock.now();
  const date = asOf ? TradingDate(asOf) : marketDateOf(now);
  return {
    runId: RunId(`${runIdOf(env.BOOKS_STAGE, date)}-dry-run`),
    strategyId: entry.id,
    file: entry.file,
    allocation: entry.allocation,
    asOf: date,
    accountEquity: account.equity,
    policy: config.capitalPolicy,
    minTradeNotional: config.minTradeNotional,
    cashReserve: config.cashReserve,
    dryRun: true,
    plannedAt: now.toISOString(),
  };
}

function summarise(outcome: StrategyOutcome): WorkerResult {
  if (outcome.outcome === 'FAILED')
    return { strategyId: outcome.strategyId, outcome: 'FAILED', reason: outcome.reason };
  if (outcome.outcome === 'SIGNALLED') {
    const { signal } = outcome;
    const text = (m: ReadonlyMap<string, { toString(): string }>) =>
      Object.fromEntries([...m].map(([s, w]) => [s, w.toString()]));
    return {
      strategyId: outcome.strategyId,
      outcome: 'SIGNALLED',
      signal: {
        flow: signal.flow,
        allocation: signal.allocation.toString(),
        weights: text(signal.weights),
        contributions: text(signal.contributions),
        ...(signal.rebalanceThreshold ? { rebalanceThreshold: signal.rebalanceThreshold.toString() } : {}),
      },
    };
  }
  const { record } = outcome;
  const line = (t: PlannedTrade) =>
    `${t.side} ${t.qty} ${t.symbol} (~$${t.estimatedValue.toCents().value.toFixed(2)})`;
  return {
    strategyId: outcome.strategyId,
    outcome: outcome.outcome,
    targets: Object.fromEntries([...record.weights].map(([s, w]) => [s, w.toString()])),
    capital: record.capital.explanation,
    sells: record.plan.sells.map(line),
    buys: record.plan.buys.map(line),
    suppressed: record.plan.suppressed.map(
      (s) => `${s.side} ${s.qty} ${s.symbol}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`,
    ),
  };
}
