import type { Bar, BarStore } from './bar-store';

/** A bar store the data refresh can write to. */
export interface WritableBarStore extends BarStore {
  /**
   * Replaces all bars of `symbol` (ascending, as `bars` returns them), conditionally on the version
   * this instance read: a concurrent change makes it fail with ConcurrencyError and write nothing.
   */
  putBars(symbol: string, bars: readonly Bar[]): Promise<void>;
}
