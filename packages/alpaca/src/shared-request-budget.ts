import type { Clock, Logger } from '@books/core';
import { type BudgetWindow, retryAt, type WindowRefusal, windowAt, windowsUntil } from './budget-window';
import { AlpacaRateLimited } from './errors';
import type { RequestBudget } from './request-budget';
import type { Sleep } from './sleep';

/**
 * Where the windows of the shared budget are counted, seen by every process (deployed: one item
 * per window in the ledger table, `BrokerBudgetRepository` of @books/ledger-client).
 */
export interface BudgetWindowStore {
  /**
   * Counts one request in `window` if it has counted fewer than `limit` and carries no block
   * later than `now`, in one atomic conditional write. Returns undefined when counted, else what
   * the window held.
   */
  take(window: BudgetWindow, limit: number, now: Date): Promise<WindowRefusal | undefined>;
  /** Sets `window`'s block to `until` unless it already holds a later one. */
  block(window: BudgetWindow, until: Date): Promise<void>;
}

export interface SharedRequestBudgetOptions {
  readonly store: BudgetWindowStore;
  /** Requests per minute for the whole account (Alpaca: 200). */
  readonly perMinute: number;
  /** Real time: the broker's limit is counted on the wall clock, never on a simulated one. */
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
}

/**
 * The account's one request budget, shared by every function and instance through a store (see
 * budget-window.ts for the rules). Each take is one conditional write; a refused taker sleeps until
 * its window ends or Alpaca's reset, bounded by the caller's deadline.
 */
export class SharedRequestBudget implements RequestBudget {
  constructor(private readonly options: SharedRequestBudgetOptions) {}

  get perMinute(): number {
    return this.options.perMinute;
  }

  async take(take: { readonly deadline?: Date } = {}): Promise<void> {
    const { store, perMinute, clock, sleep } = this.options;
    for (;;) {
      const now = clock.now();
      const window = windowAt(now);
      const refusal = await store.take(window, perMinute, now);
      if (refusal === undefined) return;
      const at = retryAt(now, window, refusal, perMinute);
      if (take.deadline !== undefined && at > take.deadline)
        throw new AlpacaRateLimited(
          'the account request budget has no request left before the deadline',
          at,
          {
            window: window.start.toISOString(),
            used: refusal.used,
            perMinute,
            blockedUntil: refusal.blockedUntil?.toISOString(),
          },
        );
      this.options.logger.debug(
        { window: window.start.toISOString(), used: refusal.used, retryAt: at.toISOString() },
        'account request budget spent; waiting',
      );
      await sleep(Math.max(1, at.getTime() - clock.now().getTime()));
    }
  }

  async exhaustUntil(until: Date): Promise<void> {
    const now = this.options.clock.now();
    for (const window of windowsUntil(now, until)) await this.options.store.block(window, until);
  }
}
