/**
 * A process-wide memo of a pure computation by a text key (a Lambda container keeps it across
 * warm invocations): at most `max` entries, the oldest forgotten first. The value returned is
 * shared by every caller with the same key: read it, never change it. An undefined value is not
 * remembered.
 */
export class BoundedMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`a memo holds at least one entry, not ${max}`);
  }

  /** The value remembered for `key`; else `compute()`'s, remembered. */
  get(key: string, compute: () => T): T {
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }

  /** Forgets `key`, when its value is still `value` (a later value of the key is kept). */
  forget(key: string, value: T): void {
    if (this.entries.get(key) === value) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * `memo.get` of an asynchronous computation (a read) whose promise is shared while it runs and
 * after it succeeds; one that fails is forgotten, so that the next caller reads again.
 */
export function memoisedUnlessRejected<T>(
  memo: BoundedMemo<Promise<T>>,
  key: string,
  compute: () => Promise<T>,
): Promise<T> {
  return memo.get(key, () => {
    const value = compute();
    value.catch(() => memo.forget(key, value));
    return value;
  });
}
