import type { Clock } from '@books/core';
import { AlpacaRateLimited } from './errors';
import type { Sleep } from './sleep';

/**
 * The port every Alpaca request goes through before it is sent: the account's one request budget
 * (the trading API's 200 requests/min, shared by every function and every instance). Deployed, it
 * is the DynamoDB-backed `SharedRequestBudget`; tests and single-process tools use the in-process
 * `InProcessRequestBudget`.
 */
export interface RequestBudget {
  /**
   * Resolves when one request may be sent, having counted it. When none may be sent within
   * `maxWaitMs` (counted on the budget's own clock), rejects at once with AlpacaRateLimited (its
   * `retryAfter` says when one may).
   */
  take(options?: { readonly maxWaitMs?: number }): Promise<void>;
  /**
   * Alpaca said the account's window is spent until `until` (a 429, or X-RateLimit-Remaining at
   * its floor with X-RateLimit-Reset): no request from anyone until then.
   */
  exhaustUntil(until: Date): Promise<void>;
}

/**
 * A token bucket in one process: `perMinute` requests per minute, bursts up to `perMinute`. Shared
 * by whoever holds the same instance; other processes do not see it. Token counts are not money:
 * plain numbers are fine here.
 */
export class InProcessRequestBudget implements RequestBudget {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    readonly perMinute = 200,
  ) {
    this.tokens = perMinute;
    this.lastRefillMs = clock.now().getTime();
  }

  async take(options: { readonly maxWaitMs?: number } = {}): Promise<void> {
    const deadline =
      options.maxWaitMs === undefined ? undefined : this.clock.now().getTime() + options.maxWaitMs;
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const now = this.clock.now().getTime();
      // After exhaustUntil the refill starts in the future: wait for it, then for one token.
      const waitMs =
        Math.max(0, this.lastRefillMs - now) + Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
      const at = new Date(now + waitMs);
      if (deadline !== undefined && at.getTime() > deadline)
        throw new AlpacaRateLimited('the request budget has no request left within the wait allowed', at, {
          perMinute: this.perMinute,
        });
      await this.sleep(waitMs);
    }
  }

  /** No request until `until`, when one token is there, and the refill goes on from then. */
  async exhaustUntil(until: Date): Promise<void> {
    this.tokens = 0;
    this.lastRefillMs = Math.max(this.lastRefillMs, until.getTime() - 60_000 / this.perMinute);
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    if (now <= this.lastRefillMs) return;
    this.tokens = Math.min(
      this.perMinute,
      this.tokens + ((now - this.lastRefillMs) * this.perMinute) / 60_000,
    );
    this.lastRefillMs = now;
  }
}
