import { ConcurrencyError, type TradingDate } from '@books/core';
import { type Bar, barsUntil, type WritableBarStore } from '../../src';

/** An in-memory WritableBarStore that counts writes; `conflictOn` makes writes of a symbol lose. */
export class MemoryBarStore implements WritableBarStore {
  readonly writes: string[] = [];
  readonly conflictOn = new Set<string>();
  readonly brokenReads = new Map<string, Error>();

  constructor(readonly data = new Map<string, readonly Bar[]>()) {}

  async bars(symbol: string, until?: string): Promise<readonly Bar[]> {
    const broken = this.brokenReads.get(symbol);
    if (broken) throw broken;
    return barsUntil(this.data.get(symbol) ?? [], until);
  }

  async calendar(until?: string): Promise<readonly TradingDate[]> {
    const days = new Set<TradingDate>();
    for (const bars of this.data.values()) for (const b of barsUntil(bars, until)) days.add(b.date);
    return [...days].sort();
  }

  async symbols(): Promise<readonly string[]> {
    return [...this.data.keys()].sort();
  }

  async putBars(symbol: string, bars: readonly Bar[]): Promise<void> {
    if (this.conflictOn.has(symbol)) throw new ConcurrencyError(`${symbol}.csv changed since it was read`);
    this.writes.push(symbol);
    this.data.set(symbol, [...bars]);
  }
}
