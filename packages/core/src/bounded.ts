/** How many of one invocation's independent ledger calls are in flight at once, at most. */
export const READ_CONCURRENCY = 8;

/**
 * `fn` over every item, at most `limit` at a time, the results in the items' order (as
 * `Promise.all` of them all, without flooding the table when there are hundreds). The first
 * failure rejects, after the calls in flight have settled.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  limit = READ_CONCURRENCY,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return results;
}
