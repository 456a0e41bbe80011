import type { Clock } from '@books/core';
import type { Transfer } from '@books/portfolio';
import { loadBook, transferItems } from './book-projection';
import { TransactionConditionError } from './errors';
import type { LedgerTable, TransactItem } from './ledger-table';
import { encodePlanItem, type StoredPlan } from './records/plan';
import type { StrategyRunStatus } from './records/run-status';
import type { BookRepository } from './repositories/book-repository';
import type { RunRepository } from './repositories/run-repository';

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

  /** `already-recorded` when a previous attempt recorded this (run, book)'s plan. */
  async record(
    plan: StoredPlan,
    status: StrategyRunStatus,
    transfer: Transfer | null,
  ): Promise<'recorded' | 'already-recorded'> {
    const { runId, strategyId } = plan;
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
        at: this.clock.now().toISOString(),
        patch: {
          pendingSells: plan.sells.length,
          heldBuys: plan.sells.length > 0 ? plan.buys.map((b) => b.clientOrderId) : [],
        },
      }),
    ];
    if (transfer) {
      const loaded = await loadBook(this.books, strategyId);
      items.push(...transferItems(this.books, loaded, strategyId, transfer, { runId }));
    }
    try {
      await this.table.transact(items);
      return 'recorded';
    } catch (e) {
      if (e instanceof TransactionConditionError && e.failures.some((f) => f.index === 0))
        return 'already-recorded';
      throw e;
    }
  }
}
