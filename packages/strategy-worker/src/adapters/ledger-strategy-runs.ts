import { type Clock, clientOrderIdFor, RunId, type StrategyId, Symbol } from '@books/core';
import {
  type BookRepository,
  encodePlanItem,
  type LedgerTable,
  loadBook,
  type RunRepository,
  readStoredPlan,
  StatusConflictError,
  type StoredPlan,
  type TransactItem,
  TransactionConditionError,
  TransactionConflictError,
  transferItems,
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
 * cash, and with the strategy's run item moving PENDING → PLANNED | NOTHING_TO_DO.
 */
export class LedgerStrategyRuns implements BookReader, StrategyRunStore {
  constructor(
    private readonly table: LedgerTable,
    private readonly books: BookRepository,
    private readonly runs: RunRepository,
    private readonly clock: Clock,
  ) {}

  async readBook(strategyId: StrategyId) {
    const loaded = await loadBook(this.books, strategyId);
    return { book: loaded.book, exists: loaded.exists };
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
  }): Promise<'recorded' | 'already-recorded'> {
    const runId = RunId(input.runId);
    const plan = toStoredPlan(runId, input.strategyId, input.record, input.context);
    const items: TransactItem[] = [
      {
        kind: 'put',
        label: 'plan',
        item: encodePlanItem(plan),
        condition: { expression: 'attribute_not_exists(PK)' },
      },
      this.runs.transitionStrategyItem(runId, input.strategyId, {
        from: 'PENDING',
        to: input.status,
        at: this.clock.now().toISOString(),
        patch: {
          pendingSells: plan.sells.length,
          heldBuys: plan.sells.length > 0 ? plan.buys.map((b) => b.clientOrderId) : [],
        },
      }),
    ];
    // A capital transfer also moves the pool, which every worker of the run may write at once: a
    // transaction that collides with another one in flight wrote nothing and is tried again.
    for (let attempt = 1; ; attempt++) {
      const transfer = input.transfer
        ? await this.transferItems(input.strategyId, runId, input.transfer)
        : [];
      try {
        await this.table.transact([...items, ...transfer]);
        return 'recorded';
      } catch (e) {
        if (e instanceof TransactionConditionError && e.failures.some((f) => f.index === 0))
          return 'already-recorded';
        if (e instanceof TransactionConflictError && input.transfer && attempt < POOL_CONFLICT_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 25 * attempt));
          continue;
        }
        throw e;
      }
    }
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

  /** The transfer item and the book's cash (opened at the first funding, else at its version). */
  private async transferItems(
    strategyId: StrategyId,
    runId: RunId,
    transfer: Transfer,
  ): Promise<TransactItem[]> {
    return transferItems(this.books, await loadBook(this.books, strategyId), strategyId, transfer, { runId });
  }
}

const POOL_CONFLICT_ATTEMPTS = 8;

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
