import { marketTimeToInstant, normaliseHhmm, type TradingDate } from '@books/core';
import type { CalendarDay, MarketClock } from './port';

/** A trading day as a calendar source states it: New York open and close times. */
export interface TradingDaySpec {
  readonly date: TradingDate;
  /** "HH:MM" or "HHMM", New York time. */
  readonly open: string;
  readonly close: string;
}

/** The regular session's close in New York; an earlier close is an early close. */
export const REGULAR_CLOSE = '16:00';

export function calendarDay(date: TradingDate, open: string, close: string): CalendarDay {
  const o = normaliseHhmm(open);
  const c = normaliseHhmm(close);
  return {
    date,
    open: o,
    close: c,
    openAt: marketTimeToInstant(date, o),
    closeAt: marketTimeToInstant(date, c),
    earlyClose: c < REGULAR_CLOSE,
  };
}

/**
 * The market clock at `now` from a list of trading days (sorted or not). When no later session is
 * known, next open/close are reported one day ahead as a placeholder.
 */
export function clockFromCalendar(days: readonly CalendarDay[], now: Date): MarketClock {
  const sorted = [...days].sort((a, b) => a.openAt.getTime() - b.openAt.getTime());
  const isOpen = sorted.some((d) => d.openAt <= now && now < d.closeAt);
  const fallback = new Date(now.getTime() + 86_400_000);
  return {
    timestamp: now,
    isOpen,
    nextOpen: sorted.find((d) => d.openAt > now)?.openAt ?? fallback,
    nextClose: sorted.find((d) => d.closeAt > now)?.closeAt ?? fallback,
  };
}

/** The session that contains `now`, if the market is open. */
export function sessionAt(days: readonly CalendarDay[], now: Date): CalendarDay | undefined {
  return days.find((d) => d.openAt <= now && now < d.closeAt);
}
