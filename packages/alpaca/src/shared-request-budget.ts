import type { Clock, Logger } from '@books/core';
import {
  type BudgetWindow,
  DEFAULT_GUARD_MS,
  guardWaitUntil,
  retryAt,
  WINDOW_MS,
  type WindowRefusal,
  windowAt,
  windowsUntil,
} from './budget-window';
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
  /** No take in the last `guardMs` of a window (default DEFAULT_GUARD_MS); see budget-window.ts. */
  readonly guardMs?: number;
}

/**
 * The account's one request budget, shared by every function and instance through a store (see
 * budget-window.ts for the rules). Each take is one conditional write; a refused taker sleeps until
 * its window ends or Alpaca's reset, bounded by the wait the caller allows.
 */
export class SharedRequestBudget implements RequestBudget {
  private readonly guardMs: number;

  constructor(private readonly options: SharedRequestBudgetOptions) {
    this.guardMs = options.guardMs ?? DEFAULT_GUARD_MS;
    if (!(this.guardMs >= 0 && this.guardMs < WINDOW_MS))
      throw new RangeError(`guardMs must be in [0, ${WINDOW_MS}), not ${this.guardMs}`);
  }

  get perMinute(): number {
    return this.options.perMinute;
  }

  async take(take: { readonly maxWaitMs?: number } = {}): Promise<void> {
    const { store, perMinute, clock, sleep } = this.options;
    const deadline = take.maxWaitMs === undefined ? undefined : clock.now().getTime() + take.maxWaitMs;
    for (;;) {
      const now = clock.now();
      const window = windowAt(now);
      let at = guardWaitUntil(now, this.guardMs);
      let refusal: WindowRefusal | undefined;
      if (at === undefined) {
        refusal = await store.take(window, perMinute, now);
        if (refusal === undefined) return;
        at = retryAt(now, window, refusal, perMinute);
      }
      const context = {
        window: window.start.toISOString(),
        used: refusal?.used,
        perMinute,
        blockedUntil: refusal?.blockedUntil?.toISOString(),
        retryAt: at.toISOString(),
      };
      if (deadline !== undefined && at.getTime() > deadline)
        throw new AlpacaRateLimited(
          'the account request budget has no request left within the wait allowed',
          at,
          context,
        );
      this.options.logger.debug(context, 'account request budget: waiting for the next window or the reset');
      await sleep(Math.max(1, at.getTime() - clock.now().getTime()));
    }
  }

  async exhaustUntil(until: Date): Promise<void> {
    const now = this.options.clock.now();
    for (const window of windowsUntil(now, until)) await this.options.store.block(window, until);
  }
}
