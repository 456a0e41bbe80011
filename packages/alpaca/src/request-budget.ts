import type { Clock } from '@books/core';
import type { Sleep } from './sleep';

/**
 * A token bucket: `perMinute` requests per minute, bursts up to `perMinute`. One budget is shared
 * by every request of an adapter instance (pass the same budget to several adapters to share it
 * further). Token counts are not money: plain numbers are fine here.
 */
export class RequestBudget {
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

  /** Resolves when a request may be sent, consuming one token. */
  async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute));
    }
  }

  /**
   * After a 429 the broker's window is spent for everyone: no request until `until`, when one
   * token is there, and the refill goes on from then.
   */
  exhaustUntil(until: Date): void {
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
