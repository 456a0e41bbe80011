/**
 * Wall time during which at least one call of a kind was in flight: concurrent calls (the Map's
 * workers run side by side) count once, so the figure never exceeds the elapsed time.
 */
export class BusyTime {
  private active = 0;
  private since = 0;
  private total = 0;

  constructor(private readonly now: () => number) {}

  async time<T>(work: () => Promise<T>): Promise<T> {
    if (this.active++ === 0) this.since = this.now();
    try {
      return await work();
    } finally {
      if (--this.active === 0) this.total += this.now() - this.since;
    }
  }

  /** Milliseconds so far, a call in flight included. */
  get ms(): number {
    return this.total + (this.active > 0 ? this.now() - this.since : 0);
  }
}
