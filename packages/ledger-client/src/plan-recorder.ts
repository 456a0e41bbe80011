import type { Clock, Weight } from '@books/core';
import type { Transfer } from '@books/portfolio';
import type { Item } from './attribute-codec';
import { loadBook, transferItems } from './book-projection';
import { TransactionConditionError, TransactionConflictError } from './errors';
import type { LedgerTable, TransactItem } from './ledger-table';
import { encodeLastRebalance } from './records/last-rebalance';
import { encodePlanItem, type StoredPlan } from './records/plan';
import type { StrategyRunStatus } from './records/run-status';
import type { BookRepository } from './repositories/book-repository';
import type { RunRepository } from './repositories/run-repository';

/** Attempts of a plan's transaction that collided with another worker's on the pool. */
const POOL_CONFLICT_ATTEMPTS = 8;

/**
 * Records a book's plan for one run on the ledger, for the strategy worker and the legacy flow
 * alike: once per (run, book), in ONE transaction with its capital transfer and the book's cash
 * (opened at the first funding, else at its version), and with the book's run item moving
 * PENDING → `status` (pending SELLs, held BUYs).
 */
export class LedgerPlanRecorder {
  constructor(
    private readonly table: LedgerTable,
    private readonly books: BookRepository,
    private readonly runs: RunRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * `already-recorded` when a previous attempt recorded this (run, book)'s plan. `trace` (an
   * encoded trace item) is written in the same transaction, guarded by the plan's condition.
   * `schedule` (a strategy book with a rebalance schedule): with `notDue`, the run item records why
   * the book was not due; `rebalanced` moves the book's last rebalance (`LAST_REBALANCE`) to the
   * plan's day (the caller's rule: a due day's plan, once the book has invested), with
   * `allocation`, the allocation that rebalance funded (absent: none recorded).
   */
  async record(
    plan: StoredPlan,
    status: StrategyRunStatus,
    transfer: Transfer | null,
    trace?: Item,
    schedule?: { readonly notDue?: string; readonly rebalanced?: boolean; readonly allocation?: Weight },
  ): Promise<'recorded' | 'already-recorded'> {
    const { runId, strategyId } = plan;
    const at = this.clock.now().toISOString();
    const rebalanced =
      schedule?.rebalanced === true
        ? [
            {
              kind: 'put' as const,
              label: 'last rebalance',
              item: encodeLastRebalance(strategyId, {
                runId,
                tradingDate: plan.asOf,
                ...(schedule.allocation ? { allocation: schedule.allocation } : {}),
                at,
              }),
            },
          ]
        : [];
    const items: TransactItem[] = [
      {
        kind: 'put',
        label: 'plan',
        item: encodePlanItem(plan),
        condition: { expression: 'attribute_not_exists(PK)' },
      },
      this.runs.transitionStrategyItem(runId, strategyId, {
        from: 'PENDING',
        to: status,
        at,
        patch: {
          pendingSells: plan.sells.length,
          heldBuys: plan.sells.length > 0 ? plan.buys.map((b) => b.clientOrderId) : [],
          ...(schedule?.notDue !== undefined ? { notDue: schedule.notDue.slice(0, 2000) } : {}),
        },
      }),
      ...(trace === undefined ? [] : [{ kind: 'put' as const, label: 'trace', item: trace }]),
      ...rebalanced,
    ];
    // A capital transfer also moves the pool, which every worker of the run may write at once: a
    // transaction that collides with another one in flight wrote nothing and is tried again.
    for (let attempt = 1; ; attempt++) {
      const moves = transfer
        ? transferItems(this.books, await loadBook(this.books, strategyId), strategyId, transfer, { runId })
        : [];
      try {
        await this.table.transact([...items, ...moves]);
        return 'recorded';
      } catch (e) {
        if (e instanceof TransactionConditionError && e.failures.some((f) => f.index === 0))
          return 'already-recorded';
        if (e instanceof TransactionConflictError && transfer && attempt < POOL_CONFLICT_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 25 * attempt));
          continue;
        }
        throw e;
      }
    }
  }
}
