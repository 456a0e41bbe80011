import { type Clock, clientOrderIdFor, RunId, type StrategyId, Symbol, type Weight } from '@books/core';
import {
  type BookRepository,
  encodeTraceItem,
  LedgerPlanRecorder,
  type LedgerTable,
  loadBook,
  type RunRepository,
  readLastRebalance,
  readStoredPlan,
  StatusConflictError,
  type StoredPlan,
} from '@books/ledger-client';
import type { PlannedTrade, Transfer } from '@books/portfolio';
import type {
  BookReader,
  PlanContext,
  StrategyPlanRecord,
  StrategyRunStatus,
  StrategyRunStore,
} from '../ports';

/**
 * The worker's view of the ledger: its own book, and its plan on the run record. A plan is
 * recorded once per (run, strategy), in ONE transaction with its capital transfer and the book's
 * cash, and with the strategy's run item moving PENDING → PLANNED | NOTHING_TO_DO (`LedgerPlanRecorder`).
 */
export class LedgerStrategyRuns implements BookReader, StrategyRunStore {
  private readonly plans: LedgerPlanRecorder;

  constructor(
    private readonly table: LedgerTable,
    private readonly books: BookRepository,
    private readonly runs: RunRepository,
    private readonly clock: Clock,
  ) {
    this.plans = new LedgerPlanRecorder(table, books, runs, clock);
  }

  async readBook(strategyId: StrategyId) {
    const loaded = await loadBook(this.books, strategyId);
    return { book: loaded.book, exists: loaded.exists };
  }

  /** The trading day and allocation of the book's last rebalance (`LAST_REBALANCE`). */
  async lastRebalance(strategyId: StrategyId) {
    return readLastRebalance(this.table, strategyId);
  }

  async readPlan(runId: string, strategyId: StrategyId): Promise<StrategyPlanRecord | undefined> {
    const stored = await readStoredPlan(this.table, RunId(runId), strategyId);
    return stored && planRecordOf(stored);
  }

  async recordPlan(input: {
    readonly runId: string;
    readonly strategyId: StrategyId;
    readonly record: StrategyPlanRecord;
    readonly transfer: Transfer | null;
    readonly status: StrategyRunStatus;
    readonly context: PlanContext;
    readonly notDue?: string;
    readonly rebalanced?: boolean;
    readonly rebalancedAllocation?: Weight;
  }): Promise<'recorded' | 'already-recorded'> {
    const plan = toStoredPlan(RunId(input.runId), input.strategyId, input.record, input.context);
    const trace = input.record.trace;
    return this.plans.record(
      plan,
      input.status,
      input.transfer,
      trace &&
        encodeTraceItem({
          runId: plan.runId,
          strategyId: plan.strategyId,
          asOf: plan.asOf,
          trace,
          fallback: { ...trace, nodes: [], truncated: true },
        }),
      {
        ...(input.notDue !== undefined ? { notDue: input.notDue } : {}),
        rebalanced: input.rebalanced === true,
        ...(input.rebalancedAllocation ? { allocation: input.rebalancedAllocation } : {}),
      },
    );
  }

  async recordFailure(runId: string, strategyId: StrategyId, reason: string): Promise<void> {
    try {
      await this.runs.transitionStrategy(RunId(runId), strategyId, {
        from: 'PENDING',
        to: 'FAILED',
        at: this.clock.now().toISOString(),
        patch: { error: reason.slice(0, 2000) },
      });
    } catch (e) {
      if (!(e instanceof StatusConflictError && e.actual === 'FAILED')) throw e;
    }
  }

  async recordSignal(runId: string, strategyId: StrategyId): Promise<void> {
    try {
      await this.runs.transitionStrategy(RunId(runId), strategyId, {
        from: 'PENDING',
        to: 'SIGNALLED',
        at: this.clock.now().toISOString(),
      });
    } catch (e) {
      if (!(e instanceof StatusConflictError && e.actual === 'SIGNALLED')) throw e;
    }
  }
}

function tradeJson(runId: RunId, strategyId: StrategyId, t: PlannedTrade) {
  return {
    ...t,
    clientOrderId: clientOrderIdFor({ runId, strategyId, symbol: t.symbol, side: t.side, leg: t.leg }),
  };
}

function toStoredPlan(
  runId: RunId,
  strategyId: StrategyId,
  record: StrategyPlanRecord,
  ctx: PlanContext,
): StoredPlan {
  return {
    runId,
    strategyId,
    file: ctx.file,
    allocation: ctx.allocation,
    asOf: ctx.asOf,
    plannedAt: ctx.plannedAt,
    weights: Object.fromEntries(record.weights),
    ...(record.rebalanceThreshold ? { rebalanceThreshold: record.rebalanceThreshold } : {}),
    minTradeNotional: ctx.minTradeNotional,
    equity: record.equity,
    capital: record.capital,
    sells: record.plan.sells.map((t) => tradeJson(runId, strategyId, t)),
    buys: record.plan.buys.map((t) => tradeJson(runId, strategyId, t)),
    suppressed: [...record.plan.suppressed],
    estimatedCashAfter: record.plan.estimatedCashAfter,
    ...(ctx.attribution ? { attribution: ctx.attribution } : {}),
  };
}

/** A stored plan as the planning record it was written from. */
export function planRecordOf(plan: StoredPlan): StrategyPlanRecord {
  return {
    weights: new Map(Object.entries(plan.weights).map(([s, w]) => [Symbol(s), w])),
    ...(plan.rebalanceThreshold ? { rebalanceThreshold: plan.rebalanceThreshold } : {}),
    equity: plan.equity,
    capital: plan.capital,
    plan: {
      sells: plan.sells,
      buys: plan.buys,
      suppressed: plan.suppressed,
      estimatedCashAfter: plan.estimatedCashAfter,
    },
  };
}
