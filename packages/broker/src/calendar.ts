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
  return { ...calendarDayOnDemand(date, open, close) };
}

/**
 * `calendarDay` whose instants are converted when first read (each a time-zone conversion), then
 * kept: for a calendar of many days of which a caller reads the dates, or a few days' instants.
 */
export function calendarDayOnDemand(date: TradingDate, open: string, close: string): CalendarDay {
  const o = normaliseHhmm(open);
  const c = normaliseHhmm(close);
  let openAt: Date | undefined;
  let closeAt: Date | undefined;
  return {
    date,
    open: o,
    close: c,
    get openAt() {
      openAt ??= marketTimeToInstant(date, o);
      return openAt;
    },
    get closeAt() {
      closeAt ??= marketTimeToInstant(date, c);
      return closeAt;
    },
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

/**
 * Over days in time order (sessions that do not overlap): the index of the first session that
 * has not closed at `now` (`days.length` when all have), by binary search.
 */
export function firstOpenSessionIndex(days: readonly CalendarDay[], now: Date): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((days[mid] as CalendarDay).closeAt <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `clockFromCalendar` over days already in time order, in O(log days). */
export function clockFromSortedCalendar(days: readonly CalendarDay[], now: Date): MarketClock {
  const i = firstOpenSessionIndex(days, now);
  const current = days[i];
  const fallback = new Date(now.getTime() + 86_400_000);
  const isOpen = current !== undefined && current.openAt <= now;
  const nextOpen = current === undefined ? undefined : isOpen ? days[i + 1]?.openAt : current.openAt;
  return {
    timestamp: now,
    isOpen,
    nextOpen: nextOpen ?? fallback,
    nextClose: current?.closeAt ?? fallback,
  };
}

/** `sessionAt` over days already in time order, in O(log days). */
export function sessionAtSorted(days: readonly CalendarDay[], now: Date): CalendarDay | undefined {
  const current = days[firstOpenSessionIndex(days, now)];
  return current !== undefined && current.openAt <= now ? current : undefined;
}
