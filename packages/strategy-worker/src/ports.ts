import type { Money, StrategyId, Symbol, TradingDate, Weight } from '@books/core';
import type { Trace } from '@books/dsl';
import type { Book, BookCapitalDecision, RebalancePlan, RebalanceSchedule, Transfer } from '@books/portfolio';

/** What the DSL engine says for one strategy on one date. */
export type StrategyEvaluation =
  | {
      readonly ok: true;
      readonly weights: ReadonlyMap<Symbol, Weight>;
      /** The symphony's `:rebalance-threshold`, when it has one. */
      readonly rebalanceThreshold?: Weight;
      /** The symphony's rebalance schedule, when it sets `:rebalance-frequency` (else: every day). */
      readonly schedule?: RebalanceSchedule;
      /** How the evaluation reached the weights, when the evaluator traces (the DSL's). */
      readonly trace?: Trace;
    }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /** The data, not the program, failed: `code` is the strategy's failure code as is (STALE_DATA). */
      readonly data?: true;
    };

export interface StrategyEvaluator {
  evaluate(file: string, asOf: TradingDate): Promise<StrategyEvaluation>;
}

/** The strategy's own book. Throws when it cannot be read: never an empty book instead. */
export interface BookReader {
  readBook(strategyId: StrategyId): Promise<{ readonly book: Book; readonly exists: boolean }>;
}

/** When the book last rebalanced, and the trading days: the inputs of its rebalance schedule. */
export interface RebalanceHistory {
  /**
   * The trading day of the book's last rebalance (a due day's plan) and the book's allocation then
   * (absent when not recorded); undefined when it never had one.
   */
  lastRebalance(
    strategyId: StrategyId,
  ): Promise<{ readonly tradingDate: TradingDate; readonly allocation?: Weight } | undefined>;
  /** The trading days from `from` to `to`, both included, ascending. */
  tradingDays(from: TradingDate, to: TradingDate): Promise<readonly TradingDate[]>;
}

/** Prices and asset facts: the runtime's port, shared with the legacy flow. */
export type { MarketPrices } from '@books/runtime';

/** The plan of one strategy for one run, as persisted on the run record. */
export interface StrategyPlanRecord {
  readonly weights: ReadonlyMap<Symbol, Weight>;
  readonly capital: BookCapitalDecision;
  readonly plan: RebalancePlan;
  readonly equity: Money;
  readonly rebalanceThreshold?: Weight;
  /** The evaluation's decision trace, stored with the plan (not read back on a resumed plan). */
  readonly trace?: Trace;
  /** The book was not due today (its rebalance schedule): why. The plan then has no trade. */
  readonly notDue?: string;
  /** A book with a rebalance schedule rebalanced today: its plan moves the last rebalance. */
  readonly rebalanced?: boolean;
  /**
   * The allocation that rebalance funded, recorded with it: today's, or, when the pool could not
   * pay all of the top-up it asked, the share it could deploy (the book stays due until funded).
   */
  readonly rebalancedAllocation?: Weight;
}

/** What the BUY release needs besides the plan itself. */
export interface PlanContext {
  readonly file: string;
  readonly allocation: Weight;
  readonly asOf: TradingDate;
  readonly plannedAt: string;
  readonly minTradeNotional: Money;
  readonly rebalanceThreshold?: Weight;
  /** The legacy book's plan only: per symbol, each strategy's share of the merged trade. */
  readonly attribution?: Readonly<Record<string, Readonly<Record<string, Weight>>>>;
}

export type StrategyRunStatus = 'PENDING' | 'PLANNED' | 'NOTHING_TO_DO' | 'FAILED' | 'SIGNALLED';

export interface StrategyRunStore {
  /**
   * Records the plan, its capital transfer (applied to the book's cash) and the held BUYs in one
   * transaction, once per (run, strategy): returns `already-recorded` when a previous attempt did.
   */
  recordPlan(input: {
    readonly runId: string;
    readonly strategyId: StrategyId;
    readonly record: StrategyPlanRecord;
    readonly transfer: Transfer | null;
    readonly status: StrategyRunStatus;
    readonly context: PlanContext;
    /** The book was not due today: recorded on its run item (NOTHING_TO_DO). */
    readonly notDue?: string;
    /** The book's rebalance schedule rebalanced today: moves its last rebalance to `asOf`. */
    readonly rebalanced?: boolean;
    /** The allocation that rebalance funded (StrategyPlanRecord.rebalancedAllocation). */
    readonly rebalancedAllocation?: Weight;
  }): Promise<'recorded' | 'already-recorded'>;
  /** The plan recorded by an earlier attempt of this (run, strategy), if any. */
  readPlan(runId: string, strategyId: StrategyId): Promise<StrategyPlanRecord | undefined>;
  recordFailure(runId: string, strategyId: StrategyId, reason: string): Promise<void>;
  /** A strategy of the merged flow gave its signal (PENDING → SIGNALLED; idempotent). */
  recordSignal(runId: string, strategyId: StrategyId): Promise<void>;
}

/** The book's controls, as the worker keeps them in the ledger (drawdown stop, liquidations). */
export interface WorkerControls {
  /**
   * Checks the drawdown stop on this run's valuation (portfolio `checkDrawdown`) and keeps the
   * high-water mark (moved by this run's capital transfer); latches the stop when breached, with
   * its change record. Safe to repeat for a run (a retry starts again from the mark before it).
   */
  markDrawdown(input: {
    readonly strategyId: StrategyId;
    readonly runId: string;
    readonly equity: Money;
    readonly transfer: Money;
    readonly maxDrawdown: Weight;
    readonly action: 'liquidate' | 'pause';
    readonly at: string;
  }): Promise<{ readonly latched: false } | { readonly latched: true; readonly why: string }>;
  /**
   * Records liquidation request `requestId` complete in this run, whose plan found nothing left to
   * sell (the book is paused from then on), with the system's change record; once per request.
   */
  recordLiquidation(input: {
    readonly strategyId: StrategyId;
    readonly requestId: string;
    readonly runId: string;
    readonly why: string;
    /** What the book still holds that no order can sell (dust under the minimum notional): `qty SYMBOL`. */
    readonly dust: readonly string[];
    readonly at: string;
  }): Promise<void>;
}
