import { Decimal, type Symbol, type TradingDate, type Weight } from '@books/core';

/**
 * When a book trades: a symphony's `:rebalance-frequency` or its `:rebalance-threshold` (Composer's
 * "calendar trading" and "threshold trading" settings).
 *
 * Contract (docs/dsl.md "Rebalance schedule"):
 * - A book that has never rebalanced (`lastRebalance` absent) is due: its first investment.
 * - A date that is not on the trading calendar is never due.
 * - A book whose allocation differs from the one of its last rebalance is due, whatever its
 *   schedule (Composer invests money put into a symphony, or takes it out, in the next trading
 *   period): the change of its capital takes effect as trades on the day it takes effect as cash.
 *   A last rebalance with no recorded allocation (written before it was recorded) is no change.
 * - `daily`: due on every trading day.
 * - `weekly` | `monthly` | `quarterly` | `yearly`: due on the first trading day of each period
 *   (ISO week Monday–Sunday, calendar month, calendar quarter, calendar year), on the trading
 *   calendar, so a holiday Monday moves the week's rebalance to Tuesday. When that day had no
 *   rebalance (no run, a failed run), the first later trading day of the same period catches up:
 *   due when `lastRebalance` lies in an earlier period than `date`.
 * - `none`: never due again after the first investment.
 * - Threshold W: due when some symbol is in only one of `current` and `targets` (a branch switch
 *   or an exit: Composer fully rebalances on a branch switch whatever the threshold), or when some
 *   symbol's |current weight − target weight| > W (weights of the book's equity). Not due otherwise.
 *   The targets come from today's evaluation, so this check runs after the DSL, in the worker.
 */
export const REBALANCE_FREQUENCIES = ['none', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type RebalanceFrequency = (typeof REBALANCE_FREQUENCIES)[number];

export type RebalanceSchedule =
  | { readonly kind: 'calendar'; readonly frequency: RebalanceFrequency }
  | { readonly kind: 'threshold'; readonly threshold: Weight };

export interface DueInput {
  readonly schedule: RebalanceSchedule;
  readonly date: TradingDate;
  /** The trading day of the book's latest rebalance; absent when it never traded. */
  readonly lastRebalance?: TradingDate;
  /** The book's allocation now, and the one recorded with its latest rebalance (if recorded). */
  readonly allocation?: { readonly now: Weight; readonly atLastRebalance?: Weight };
  /** Trading days, ascending (at least those from `lastRebalance` to `date`). */
  readonly calendar: readonly TradingDate[];
  /** The book's weights now (threshold mode). */
  readonly current: ReadonlyMap<Symbol, Weight>;
  /** Today's targets (threshold mode). */
  readonly targets: ReadonlyMap<Symbol, Weight>;
}

export interface DueDecision {
  readonly due: boolean;
  /** Why, in a sentence for the run record and the report ("not due: …"). */
  readonly reason: string;
}

export function isDue(input: DueInput): DueDecision {
  const { schedule, date, lastRebalance } = input;
  if (!input.calendar.includes(date)) return { due: false, reason: `${date} is not a trading day` };
  if (lastRebalance === undefined) return { due: true, reason: 'the first investment of the book' };
  const before = input.allocation?.atLastRebalance;
  if (input.allocation && before && !before.value.eq(input.allocation.now.value))
    return {
      due: true,
      reason: `its allocation changed from ${before.toString()} to ${input.allocation.now.toString()} since its rebalance on ${lastRebalance}`,
    };
  if (schedule.kind === 'threshold') return thresholdDue(schedule.threshold, input.current, input.targets);
  const frequency = schedule.frequency;
  if (frequency === 'daily') return { due: true, reason: 'rebalances daily' };
  if (frequency === 'none') return { due: false, reason: `rebalance none: invested on ${lastRebalance}` };
  const period = periodOf(frequency, date);
  if (periodOf(frequency, lastRebalance) !== period) {
    const first = input.calendar.find((d) => periodOf(frequency, d) === period);
    return {
      due: true,
      reason:
        first === date
          ? `the first trading day of ${period}`
          : `${period} has had no rebalance since its first trading day ${first ?? date}`,
    };
  }
  return {
    due: false,
    reason: `rebalances ${frequency}: already rebalanced in ${period} on ${lastRebalance}`,
  };
}

/** The period a date falls in: `2024-W05`, `2024-03`, `2024-Q1`, `2024`. */
export function periodOf(frequency: Exclude<RebalanceFrequency, 'none' | 'daily'>, date: string): string {
  const year = date.slice(0, 4);
  const month = Number(date.slice(5, 7));
  switch (frequency) {
    case 'yearly':
      return year;
    case 'quarterly':
      return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
    case 'monthly':
      return date.slice(0, 7);
    case 'weekly':
      return isoWeek(date);
  }
}

/** ISO-8601 week `YYYY-Www` (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(d.getTime() + (3 - weekday) * 86_400_000);
  const isoYear = thursday.getUTCFullYear();
  const jan1 = Date.UTC(isoYear, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / (7 * 86_400_000)) + 1;
  return `${isoYear}-W${String(week).padStart(2, '0')}`;
}

function thresholdDue(
  threshold: Weight,
  current: ReadonlyMap<Symbol, Weight>,
  targets: ReadonlyMap<Symbol, Weight>,
): DueDecision {
  const held = (m: ReadonlyMap<Symbol, Weight>, s: Symbol) => m.get(s)?.value.gt(0) ?? false;
  const symbols = [...new Set([...current.keys(), ...targets.keys()])].sort();
  for (const s of symbols) {
    if (held(current, s) !== held(targets, s))
      return { due: true, reason: `${s} ${held(targets, s) ? 'enters' : 'leaves'} the portfolio` };
  }
  for (const s of symbols) {
    const drift = (current.get(s)?.value ?? new Decimal(0)).minus(targets.get(s)?.value ?? 0).abs();
    if (drift.gt(threshold.value))
      return {
        due: true,
        reason: `${s} drifted ${drift.toString()} from its target, more than ${threshold.toString()}`,
      };
  }
  return { due: false, reason: `every weight is within ${threshold.toString()} of its target` };
}
