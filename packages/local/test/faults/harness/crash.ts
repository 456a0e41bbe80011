import type { KeyedChance } from './seeded';

/** A thrown error standing for a process that died at `point` (Lambda timeout, OOM, kill). */
export class InjectedCrash extends Error {
  constructor(
    readonly point: string,
    readonly key: string,
  ) {
    super(`injected crash at ${point} (${key})`);
    this.name = 'InjectedCrash';
  }
}

/**
 * Decides, per key (a client order id), whether the process crashes at a point: each key is drawn
 * once with `probability`, and a chosen key crashes only on its first `times` passes, so the
 * redelivered message gets through (as after SQS's visibility timeout).
 */
export class CrashSchedule {
  private readonly drawn = new Map<string, number>();
  readonly crashed: { point: string; key: string }[] = [];

  constructor(
    private readonly random: KeyedChance,
    private readonly probability: number,
    private readonly times = 1,
  ) {}

  /** Throws InjectedCrash when `key` is due to crash at `point` now. */
  maybeCrash(point: string, key: string): void {
    const id = `${point}|${key}`;
    let left = this.drawn.get(id);
    if (left === undefined) {
      left = this.random.chance('crash', id, this.probability) ? this.times : 0;
      this.drawn.set(id, left);
    }
    if (left <= 0) return;
    this.drawn.set(id, left - 1);
    this.crashed.push({ point, key });
    throw new InjectedCrash(point, key);
  }
}
