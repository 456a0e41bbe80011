import type { RunId, TradingDate } from '@books/core';

/**
 * The stage's latest run as the coordinator finds it when a new run is to be planned.
 * `waitingFor` is absent once the run is complete (runCompletion: nothing of it can trade any
 * more); `inFlight` lists its intents that are not final (an order that is or may be at the broker).
 */
export interface LatestRun {
  readonly runId: RunId;
  readonly tradingDate: TradingDate;
  readonly waitingFor?: string;
  readonly inFlight: readonly string[];
  /** Its trading session's close (undefined: the date had no session, or the run is unknown). */
  readonly closeAt?: Date;
}

export type RunOrderDecision =
  | { readonly go: true; readonly warning?: string }
  | { readonly go: false; readonly reason: string };

/**
 * Runs of a stage go forward in date, one at a time:
 * - a date before the stage's latest run is refused: its plan would read books that already hold
 *   later trades, and record trades dated before ones already booked;
 * - the latest run's own date goes on (a retry of it; the run lock decides);
 * - a later date goes only once the latest run can no longer change a book: it is complete, or
 *   its trading session has closed and none of its intents is still open. A trade of it that was
 *   never claimed by then can no longer be placed (execution expires it), so the new plan reads
 *   every book as it will stay. Otherwise the run is refused, saying what it waits for.
 */
export function decideRunOrder(
  date: TradingDate,
  now: Date,
  latest: LatestRun | undefined,
): RunOrderDecision {
  if (!latest || latest.tradingDate === date) return { go: true };
  const name = `run ${latest.runId} (${latest.tradingDate})`;
  if (date < latest.tradingDate)
    return {
      go: false,
      reason: `refused: ${date} is before the stage's latest run, ${name}; runs go forward in date`,
    };
  if (latest.waitingFor === undefined) return { go: true };
  if (latest.inFlight.length > 0)
    return {
      go: false,
      reason: `waiting: ${name} still has orders in flight (${latest.inFlight.join(', ')}); plan ${date} once they are final (books recover finds their outcome)`,
    };
  if (latest.closeAt && now.getTime() < latest.closeAt.getTime())
    return {
      go: false,
      reason: `waiting: ${name} is still open (${latest.waitingFor}); plan ${date} once it is complete`,
    };
  return {
    go: true,
    warning: `${name} did not complete (${latest.waitingFor}); its session has closed, so its unplaced trades expire`,
  };
}
