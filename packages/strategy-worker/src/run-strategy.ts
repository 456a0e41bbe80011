import {
  BooksError,
  type CapitalPolicy,
  drawdownRequestId,
  errorMessage,
  type Flow,
  type Logger,
  Money,
  type RunId,
  type StrategyId,
  type Symbol,
  type TradingDate,
  Weight,
} from '@books/core';
import {
  applyTransfer,
  type BookCapitalDecision,
  type BookValuation,
  capPlanNotional,
  isDue,
  MissingPriceError,
  planBookCapital,
  planRebalance,
  quantitiesOf,
  type RebalancePlan,
  type RebalanceSchedule,
  valueBook,
} from '@books/portfolio';
import { type ExecutionQueue, sendFirstLeg } from '@books/queue';

import { BAD_DATA } from './adapters/dsl-evaluator';
import type {
  BookReader,
  MarketPrices,
  RebalanceHistory,
  StrategyEvaluation,
  StrategyEvaluator,
  StrategyPlanRecord,
  StrategyRunStore,
  WorkerControls,
} from './ports';

export interface StrategyRunInput {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly file: string;
  readonly allocation: Weight;
  readonly asOf: TradingDate;
  /** The run's account-equity snapshot, the same for every worker of the run. */
  readonly accountEquity: Money;
  readonly policy: CapitalPolicy;
  readonly minTradeNotional: Money;
  readonly dryRun: boolean;
  /** ISO instant of the run's plan time. */
  readonly plannedAt: string;
  /** `legacy` and `shadow` strategies give a partial signal to the merged flow instead of planning. */
  readonly flow?: Flow;
  /** The coordinator's top-up grant: the most this run pays into the book from the pool. */
  readonly topUpLimit?: Money;
  /** The share of the book's capital its plan leaves in cash; none when absent. */
  readonly cashReserve?: Weight;
  /**
   * Sell the book to cash (no DSL, no BUY, no capital transfer). Recorded done only by a run whose
   * plan finds nothing left to sell: a SELL rejected, cancelled or partly filled leaves lots that
   * the next run sells.
   */
  readonly liquidate?: { readonly requestId: string; readonly why: string };
  /** The most this run's plan trades (portfolio `capPlanNotional`); a liquidation is not capped. */
  readonly dailyNotionalCap?: Money;
  readonly drawdownStop?: { readonly maxDrawdown: Weight; readonly action: 'liquidate' | 'pause' };
}

export interface StrategyRunDeps {
  readonly evaluator: StrategyEvaluator;
  readonly books: BookReader;
  readonly market: MarketPrices;
  readonly runs: StrategyRunStore;
  readonly history: RebalanceHistory;
  readonly queue: ExecutionQueue;
  readonly logger: Logger;
  /** The drawdown stop and liquidations; absent, an item asking for either is a failure. */
  readonly controls?: WorkerControls;
}

export type StrategyOutcome =
  | { readonly strategyId: StrategyId; readonly outcome: 'FAILED'; readonly reason: string }
  | {
      readonly strategyId: StrategyId;
      readonly outcome: 'SIGNALLED';
      readonly signal: PartialSignal;
    }
  | {
      readonly strategyId: StrategyId;
      readonly outcome: 'PLANNED' | 'NOTHING_TO_DO' | 'DRY_RUN';
      readonly resumed: boolean;
      readonly record: StrategyPlanRecord;
      readonly sent: number;
    };

/** A merged-flow strategy's part of the merged portfolio: its weights, and weight × allocation. */
export interface PartialSignal {
  readonly flow: 'legacy' | 'shadow';
  readonly allocation: Weight;
  readonly weights: ReadonlyMap<Symbol, Weight>;
  readonly contributions: ReadonlyMap<Symbol, Weight>;
  readonly rebalanceThreshold?: Weight;
}

/** A failure of this strategy alone, recorded on its run item; never a thrown error for the run. */
export class StrategyFailure extends BooksError {
  static override readonly errorName: string = 'StrategyFailure';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, {}, options);
  }
}

/**
 * One strategy's part of a daily run: evaluate its DSL, read ITS OWN book, value it at current
 * prices, decide its capital, plan its trades, record the plan, and send its SELLs (or, with no
 * SELL, its BUYs at once; otherwise the BUYs are held for release after the SELLs).
 *
 * Safe to retry: a plan recorded by an earlier attempt is reused, never re-planned, and its
 * messages are re-sent identically (execution deduplicates by client order id).
 */
export async function runStrategy(deps: StrategyRunDeps, input: StrategyRunInput): Promise<StrategyOutcome> {
  const log = deps.logger.child({ strategyId: input.strategyId, runId: input.runId });
  try {
    if (input.flow === 'legacy' || input.flow === 'shadow') return await signal(deps, input, input.flow);
    if (!input.dryRun) {
      const earlier = await deps.runs.readPlan(input.runId, input.strategyId);
      if (earlier) {
        log.info(
          { event: 'plan-resumed' },
          'plan already recorded by an earlier attempt: re-sending its orders',
        );
        const sent = await send(deps, input, earlier);
        await liquidationComplete(deps, input, earlier);
        return {
          strategyId: input.strategyId,
          outcome: outcomeOf(earlier.plan),
          resumed: true,
          record: earlier,
          sent,
        };
      }
    }
    const record = await plan(deps, input);
    log.info(
      {
        event: 'planned',
        weights: Object.fromEntries(record.weights),
        capital: record.capital.explanation,
        sells: record.plan.sells.length,
        buys: record.plan.buys.length,
        suppressed: record.plan.suppressed.length,
        ...(record.notDue !== undefined ? { notDue: record.notDue } : {}),
      },
      record.notDue !== undefined ? 'strategy not due' : 'strategy planned',
    );
    if (input.dryRun)
      return { strategyId: input.strategyId, outcome: 'DRY_RUN', resumed: false, record, sent: 0 };
    await deps.runs.recordPlan({
      runId: input.runId,
      strategyId: input.strategyId,
      record,
      transfer: record.capital.transfer,
      status: outcomeOf(record.plan),
      context: {
        file: input.file,
        allocation: input.allocation,
        asOf: input.asOf,
        plannedAt: input.plannedAt,
        minTradeNotional: input.minTradeNotional,
        ...(record.rebalanceThreshold ? { rebalanceThreshold: record.rebalanceThreshold } : {}),
      },
      ...(record.notDue !== undefined ? { notDue: record.notDue } : {}),
      ...(record.rebalanced !== undefined ? { rebalanced: record.rebalanced } : {}),
      ...(record.rebalancedAllocation ? { rebalancedAllocation: record.rebalancedAllocation } : {}),
    });
    const sent = await send(deps, input, record);
    await liquidationComplete(deps, input, record);
    return { strategyId: input.strategyId, outcome: outcomeOf(record.plan), resumed: false, record, sent };
  } catch (e) {
    if (!(e instanceof StrategyFailure)) throw e;
    log.warn({ event: 'strategy-failed', code: e.code, err: e }, e.message);
    if (!input.dryRun) await deps.runs.recordFailure(input.runId, input.strategyId, e.message);
    return { strategyId: input.strategyId, outcome: 'FAILED', reason: e.message };
  }
}

/**
 * The legacy flow's worker: evaluates the DSL and returns the partial signal; the merged flow
 * (aggregator and legacy planner) plans and trades. Nothing of the strategy's own book is read.
 * A rebalance schedule is refused (SCHEDULE_IN_MERGED_FLOW): the merged flow trades its strategies
 * every day, so a schedule would be silently ignored; the aggregator then holds the strategy's
 * previous contribution, as for any failed strategy.
 */
async function signal(
  deps: StrategyRunDeps,
  input: StrategyRunInput,
  flow: 'legacy' | 'shadow',
): Promise<StrategyOutcome> {
  const evaluation = await deps.evaluator.evaluate(input.file, input.asOf);
  if (!evaluation.ok) throw evaluationFailure(evaluation);
  if (evaluation.schedule) throw scheduleRefused(input, flow, evaluation.schedule);
  const contributions = new Map<Symbol, Weight>();
  for (const [symbol, weight] of evaluation.weights)
    contributions.set(symbol, weight.times(input.allocation.value));
  if (!input.dryRun) await deps.runs.recordSignal(input.runId, input.strategyId);
  deps.logger.info(
    {
      event: 'signalled',
      strategyId: input.strategyId,
      runId: input.runId,
      flow,
      contributions: Object.fromEntries(contributions),
    },
    'partial signal for the merged flow',
  );
  return {
    strategyId: input.strategyId,
    outcome: 'SIGNALLED',
    signal: {
      flow,
      allocation: input.allocation,
      weights: evaluation.weights,
      contributions,
      ...(evaluation.rebalanceThreshold ? { rebalanceThreshold: evaluation.rebalanceThreshold } : {}),
    },
  };
}

/** The code of a merged-flow strategy whose symphony sets a rebalance schedule. */
export const SCHEDULE_IN_MERGED_FLOW = 'SCHEDULE_IN_MERGED_FLOW';

function scheduleRefused(
  input: StrategyRunInput,
  flow: 'legacy' | 'shadow',
  schedule: RebalanceSchedule,
): StrategyFailure {
  const setting =
    schedule.kind === 'calendar'
      ? `:rebalance-frequency :${schedule.frequency}`
      : `:rebalance-frequency :none with :rebalance-threshold ${schedule.threshold.toString()}`;
  return new StrategyFailure(
    SCHEDULE_IN_MERGED_FLOW,
    `${input.strategyId}: ${input.file} sets ${setting}, which the ${flow} flow cannot honour (the merged flow trades every day): move ${input.strategyId} to the per-strategy flow (books migrate ${input.strategyId} --to per-strategy), or remove :rebalance-frequency from ${input.file}`,
  );
}

/** A failed evaluation's failure: the program's errors are DSL_<code>, the data's (STALE_DATA) their own code. */
function evaluationFailure(evaluation: Extract<StrategyEvaluation, { ok: false }>): StrategyFailure {
  // A data problem (STALE_DATA, BAD_DATA) is named as it is; a strategy-language one is DSL_….
  const dataProblem = evaluation.data === true || evaluation.code === BAD_DATA;
  return new StrategyFailure(dataProblem ? evaluation.code : `DSL_${evaluation.code}`, evaluation.message);
}

/** Sell everything: the targets of a liquidation (no symbol: every lot is an exit). */
const ALL_CASH: StrategyEvaluation = { ok: true, weights: new Map() };

async function plan(deps: StrategyRunDeps, input: StrategyRunInput): Promise<StrategyPlanRecord> {
  const evaluation = input.liquidate ? ALL_CASH : await deps.evaluator.evaluate(input.file, input.asOf);
  if (!evaluation.ok) throw evaluationFailure(evaluation);

  let book: Awaited<ReturnType<BookReader['readBook']>>;
  try {
    book = await deps.books.readBook(input.strategyId);
  } catch (e) {
    throw new StrategyFailure(
      'BOOK_UNREADABLE',
      `cannot read the book of ${input.strategyId}: ${errorMessage(e)}`,
      {
        cause: e,
      },
    );
  }

  const symbols = [
    ...new Set<Symbol>([...quantitiesOf(book.book).keys(), ...evaluation.weights.keys()]),
  ].sort();
  const [prices, assets] = await Promise.all([
    deps.market.prices(symbols, input.asOf),
    deps.market.assets([...evaluation.weights.keys()]),
  ]);
  try {
    const valuation = valueBook(book.book, prices);
    // The schedule first: a book not due today moves no cash and places no trade (docs/dsl.md
    // "Rebalance schedule"); a liquidation sells whatever the schedule says.
    const due =
      evaluation.schedule && !input.liquidate
        ? await dueToday(deps, input, evaluation.schedule, valuation, evaluation.weights)
        : undefined;
    const capital =
      due?.due === false
        ? holdCapital(valuation.equity, `not due: ${due.reason}`)
        : planBookCapital({
            runId: input.runId,
            strategyId: input.strategyId,
            allocation: input.allocation,
            accountEquity: input.accountEquity,
            policy: input.policy,
            ...(book.exists ? { book: { equity: valuation.equity, cash: book.book.cash } } : {}),
            at: input.plannedAt,
            ...(input.topUpLimit ? { topUpLimit: input.topUpLimit } : {}),
          });
    const stop = await drawdownStop(deps, input, valuation.equity, capital);
    if (stop?.action === 'pause') {
      const held = holdCapital(valuation.equity, `paused: ${stop.why}`);
      return {
        weights: new Map(),
        capital: held,
        plan: { sells: [], buys: [], suppressed: [], estimatedCashAfter: book.book.cash },
        equity: valuation.equity,
      };
    }
    // A liquidation (asked, or the drawdown stop's) keeps the book's cash in it: no transfer.
    const liquidation = input.liquidate?.why ?? (stop ? stop.why : undefined);
    const decided = liquidation ? holdCapital(valuation.equity, `${LIQUIDATING}${liquidation}`) : capital;
    const funded = decided.transfer ? applyTransfer(book.book, decided.transfer) : book.book;
    const notDue = due?.due === false && !liquidation ? due.reason : undefined;
    const planned: RebalancePlan =
      notDue !== undefined
        ? { sells: [], buys: [], suppressed: [], estimatedCashAfter: funded.cash }
        : planRebalance({
            book: funded,
            targets: liquidation ? new Map() : evaluation.weights,
            capital: decided.capital,
            prices,
            assets,
            minNotional: input.minTradeNotional,
            ...(evaluation.rebalanceThreshold ? { rebalanceThreshold: evaluation.rebalanceThreshold } : {}),
            ...(input.cashReserve ? { cashReserve: input.cashReserve } : {}),
          });
    const rebalance =
      input.dailyNotionalCap && !liquidation ? capPlanNotional(planned, input.dailyNotionalCap) : planned;
    return {
      weights: liquidation ? new Map() : evaluation.weights,
      capital: decided,
      plan: rebalance,
      equity: valuation.equity,
      ...(evaluation.rebalanceThreshold ? { rebalanceThreshold: evaluation.rebalanceThreshold } : {}),
      ...(evaluation.trace ? { trace: evaluation.trace } : {}),
      ...(notDue !== undefined ? { notDue } : {}),
      // A due day rebalances the book, trades or none (within the band); its first investment
      // only once it has something to buy. A drawdown stop's liquidation is no rebalance.
      ...(due?.due === true && !liquidation
        ? { rebalanced: due.invested || rebalance.sells.length + rebalance.buys.length > 0 }
        : {}),
      ...(due?.due === true && !liquidation
        ? { rebalancedAllocation: fundedAllocation(input, decided) }
        : {}),
    };
  } catch (e) {
    if (e instanceof MissingPriceError) throw new StrategyFailure('NO_PRICE', e.message, { cause: e });
    throw e;
  }
}

/**
 * The drawdown stop on this run's valuation: undefined while it holds; the action and why once
 * latched (this run or before). A drawdown stop latched to liquidate is done like `books liquidate`:
 * its request id is the latching run's (core `drawdownRequestId`).
 */
async function drawdownStop(
  deps: StrategyRunDeps,
  input: StrategyRunInput,
  equity: Money,
  capital: BookCapitalDecision,
): Promise<{ action: 'liquidate' | 'pause'; why: string } | undefined> {
  if (!input.drawdownStop || input.liquidate || input.dryRun) return undefined;
  if (!deps.controls)
    throw new StrategyFailure('NO_CONTROLS', 'a drawdown stop is configured but no control ledger is wired');
  const mark = await deps.controls.markDrawdown({
    strategyId: input.strategyId,
    runId: input.runId,
    equity,
    transfer: capital.transfer?.amount ?? Money.ZERO,
    maxDrawdown: input.drawdownStop.maxDrawdown,
    action: input.drawdownStop.action,
    at: input.plannedAt,
  });
  if (!mark.latched) return undefined;
  deps.logger.warn({ event: 'drawdown-stop', strategyId: input.strategyId, runId: input.runId }, mark.why);
  return { action: input.drawdownStop.action, why: mark.why };
}

/**
 * How a liquidation's plan says so: its capital explanation starts with this. The plan is what is
 * stored, so a retried worker that resumes a recorded plan knows from it (not from its input, which
 * does not say when the drawdown stop latched in this very run) that it was a liquidation.
 */
const LIQUIDATING = 'liquidating: ';

/** A capital decision that moves nothing: the book keeps its equity (paused or liquidating). */
function holdCapital(equity: Money, explanation: string): BookCapitalDecision {
  return {
    action: 'hold',
    equity,
    targetEquity: equity,
    share: null,
    transfer: null,
    capital: equity,
    explanation,
  };
}

/**
 * A liquidation is complete when its plan has nothing left to sell: the book holds no lot (or only
 * dust under the minimum notional, which no order can sell). Only then is its request recorded done
 * and the book paused from the next run; a plan with SELLs leaves the request open, so whatever a
 * rejected, cancelled or partly filled SELL (or a failed run) leaves is sold by the next run.
 * Decided from the recorded plan, so a retried worker that resumes it decides the same; the record
 * is written once per request (ControlRepository.recordLiquidation).
 */
async function liquidationComplete(
  deps: StrategyRunDeps,
  input: StrategyRunInput,
  record: StrategyPlanRecord,
): Promise<void> {
  const why = record.capital.explanation.startsWith(LIQUIDATING)
    ? record.capital.explanation.slice(LIQUIDATING.length)
    : undefined;
  if (input.dryRun || why === undefined || record.plan.sells.length > 0) return;
  if (!deps.controls)
    throw new StrategyFailure('NO_CONTROLS', 'a liquidation is asked but no control ledger is wired');
  await deps.controls.recordLiquidation({
    strategyId: input.strategyId,
    requestId: input.liquidate?.requestId ?? drawdownRequestId(input.runId),
    runId: input.runId,
    why,
    dust: record.plan.suppressed.filter((t) => t.side === 'sell').map((t) => `${t.qty} ${t.symbol}`),
    at: input.plannedAt,
  });
}

/**
 * Whether the book's rebalance schedule trades today (`isDue`, docs/dsl.md "Rebalance schedule"):
 * from its last rebalance (`RebalanceHistory`: its day and the allocation then, against today's),
 * the trading days since, and, for a threshold, its weights now (of its equity, before any
 * transfer) against today's targets.
 */
async function dueToday(
  deps: StrategyRunDeps,
  input: StrategyRunInput,
  schedule: RebalanceSchedule,
  valuation: BookValuation,
  targets: ReadonlyMap<Symbol, Weight>,
) {
  const last = await deps.history.lastRebalance(input.strategyId);
  const lastRebalance = last?.tradingDate;
  const from = lastRebalance !== undefined && lastRebalance < input.asOf ? lastRebalance : input.asOf;
  const calendar = await deps.history.tradingDays(from, input.asOf);
  const current = new Map<Symbol, Weight>();
  if (valuation.equity.value.gt(0))
    for (const p of valuation.positions)
      current.set(p.symbol, Weight.of(p.marketValue.value.div(valuation.equity.value)));
  const decision = isDue({
    schedule,
    date: input.asOf,
    ...(lastRebalance !== undefined ? { lastRebalance } : {}),
    allocation: {
      now: input.allocation,
      ...(last?.allocation ? { atLastRebalance: last.allocation } : {}),
    },
    calendar,
    current,
    targets,
  });
  return { ...decision, invested: lastRebalance !== undefined };
}

/**
 * The allocation a due day's rebalance funded, recorded with it (`isDue` compares the next days'
 * allocation with it): today's, unless the pool paid less than the top-up it asked (a decision that
 * moves capital and deploys less than its target); then the share it could deploy (capital ÷ the
 * run's account equity, truncated to 4 places: below the allocation), so the book stays due until
 * it is funded.
 */
function fundedAllocation(input: StrategyRunInput, capital: BookCapitalDecision): Weight {
  // A shortfall under a cent is the transfer's rounding to cents, not a top-up the pool refused.
  const short =
    capital.action !== 'hold' && capital.targetEquity.minus(capital.capital).truncate(2).isPositive();
  if (!short || !input.accountEquity.isPositive()) return input.allocation;
  return Weight.of(capital.capital.value.div(input.accountEquity.value)).truncate(4);
}

/** An evaluator's failure as this strategy's failure code: bad bars data as is, the DSL's prefixed. */
function outcomeOf(plan: RebalancePlan): 'PLANNED' | 'NOTHING_TO_DO' {
  return plan.sells.length + plan.buys.length === 0 ? 'NOTHING_TO_DO' : 'PLANNED';
}

/** The plan's first leg (sendFirstLeg), with this strategy's request context. */
function send(deps: StrategyRunDeps, input: StrategyRunInput, record: StrategyPlanRecord): Promise<number> {
  return sendFirstLeg(deps.queue, record.plan, {
    runId: input.runId,
    strategyId: input.strategyId,
    file: input.file,
    allocation: input.allocation,
    strategyCapital: record.capital.capital,
    plannedAt: input.plannedAt,
  });
}
