import type { Clock } from '@books/core';

/**
 * Wall time run `speed` times faster, from `start`: a rate limit counted per minute can be driven
 * by real concurrency (several budgets, an HTTP server) in seconds. Its sleep waits the real time
 * that matches the fast duration asked for.
 */
export function fastTime(
  speed: number,
  start: Date = new Date(),
): { clock: Clock; sleep: (ms: number) => Promise<void> } {
  const realStart = performance.now();
  const clock: Clock = { now: () => new Date(start.getTime() + (performance.now() - realStart) * speed) };
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms) / speed));
  return { clock, sleep };
}
