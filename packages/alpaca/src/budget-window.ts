/**
 * The pure rules of the account-wide request budget (`SharedRequestBudget`): fixed windows of one
 * minute aligned on the epoch minute, as Alpaca counts them (its counter resets at
 * X-RateLimit-Reset), each allowing at most `limit` requests, and a block set from Alpaca's own
 * headers that stops every taker until the reset it named.
 *
 * Contract:
 * - A request is counted in the window that holds the instant it was taken; a window never counts
 *   more than `limit` (the store's conditional write enforces it across processes).
 * - A refused taker waits until the later of: the end of its window (when the window is full) and
 *   the window's block (when one is set and still ahead); then it takes again.
 * - A block from Alpaca is written into every window from now to the reset, so a taker in any of
 *   them sees it; blocks further ahead than `MAX_BLOCK_WINDOWS` windows are cut there.
 * - Nothing is taken in the last `guardMs` of a window: such a taker waits for the next one. A
 *   request counted in a window must also reach the broker inside it, or it lands in the broker's
 *   next window on top of that window's full count (a 429). The guard covers the time from the
 *   take's clock reading to the broker receiving the request (the take's own write, the send,
 *   clock skew).
 */

export const WINDOW_MS = 60_000;
/** How many windows a block from Alpaca may cover (a reset is normally inside the next minute). */
export const MAX_BLOCK_WINDOWS = 5;
/**
 * X-RateLimit-Remaining at or below this stops everyone until X-RateLimit-Reset: requests of other
 * instances may be in flight already, and a 429 costs a round trip and a wait.
 */
export const REMAINING_FLOOR = 1;

export interface BudgetWindow {
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive; the next window's start. */
  readonly end: Date;
}

/** What a refused take saw in its window's record. */
export interface WindowRefusal {
  readonly used: number;
  readonly blockedUntil: Date | undefined;
}

export function windowAt(now: Date): BudgetWindow {
  const start = Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS;
  return { start: new Date(start), end: new Date(start + WINDOW_MS) };
}

/** Every window from the one holding `now` to the one holding the instant before `until`, at most MAX_BLOCK_WINDOWS. */
export function windowsUntil(now: Date, until: Date): BudgetWindow[] {
  const windows: BudgetWindow[] = [];
  let w = windowAt(now);
  while (windows.length < MAX_BLOCK_WINDOWS && w.start < until) {
    windows.push(w);
    w = windowAt(w.end);
  }
  return windows;
}

/** The default guard at the end of a window (see the contract above). */
export const DEFAULT_GUARD_MS = 2_000;

/** When a taker at `now` must wait for the next window instead of taking in this one; undefined if it may take now. */
export function guardWaitUntil(now: Date, guardMs: number): Date | undefined {
  const window = windowAt(now);
  return now.getTime() >= window.end.getTime() - guardMs ? window.end : undefined;
}

/** When a taker refused in `window` may try again: never before `now`, never later than needed. */
export function retryAt(now: Date, window: BudgetWindow, refusal: WindowRefusal, limit: number): Date {
  let at = now.getTime();
  if (refusal.used >= limit) at = Math.max(at, window.end.getTime());
  if (refusal.blockedUntil !== undefined) at = Math.max(at, refusal.blockedUntil.getTime());
  return new Date(at);
}

/**
 * Whether a response's X-RateLimit headers say the account's window is spent: Remaining at the
 * floor (or a 429) with a Reset ahead. Returns the reset, or undefined.
 */
export function exhaustedUntil(headers: { get(name: string): string | null }, now: Date): Date | undefined {
  const remaining = headers.get('x-ratelimit-remaining')?.trim();
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (remaining === undefined || reset === undefined) return undefined;
  if (!/^\d+$/.test(remaining) || !/^\d+$/.test(reset)) return undefined;
  if (Number(remaining) > REMAINING_FLOOR) return undefined;
  const at = new Date(Number(reset) * 1000);
  return at > now ? at : undefined;
}
