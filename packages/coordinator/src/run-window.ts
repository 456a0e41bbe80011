import type { TradingDate } from '@books/core';

/** One trading session as the broker's calendar gives it (instants in UTC). */
export interface TradingSession {
  readonly date: TradingDate;
  readonly openAt: Date;
  readonly closeAt: Date;
}

export type RunWindowDecision =
  | { readonly run: true; readonly session: TradingSession; readonly minutesToClose: number }
  | { readonly run: false; readonly reason: string };

/**
 * Whether a daily run may plan now: only on a trading day, only within `windowMinutes` before that
 * day's close (early closes included, since the close comes from the calendar). The two schedules
 * (15:30 and 12:30 New York) both call this: on a normal day the 12:30 trigger is too early, on an
 * early-close day (13:00) the 15:30 trigger is after the close.
 */
export function decideRunWindow(
  now: Date,
  today: TradingDate,
  session: TradingSession | undefined,
  windowMinutes: number,
): RunWindowDecision {
  if (!session || session.date !== today) {
    return { run: false, reason: `skipped: market closed (${today} is not a trading day)` };
  }
  const msToClose = session.closeAt.getTime() - now.getTime();
  if (msToClose <= 0) {
    return { run: false, reason: `skipped: market closed (closed at ${session.closeAt.toISOString()})` };
  }
  if (now.getTime() < session.openAt.getTime()) {
    return { run: false, reason: `skipped: market not open yet (opens at ${session.openAt.toISOString()})` };
  }
  if (msToClose > windowMinutes * 60_000) {
    const opensAt = new Date(session.closeAt.getTime() - windowMinutes * 60_000);
    return {
      run: false,
      reason: `skipped: outside the run window (it opens ${windowMinutes} min before the close, at ${opensAt.toISOString()})`,
    };
  }
  return { run: true, session, minutesToClose: Math.floor(msToClose / 60_000) };
}
