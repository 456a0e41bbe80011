import { Symbol, TradingDate, Weight } from '@books/core';
import { type DueInput, isDue, periodOf, type RebalanceSchedule } from '../src';

/** Weekdays from `from` to `to`, without the given holidays: a hand-made NYSE calendar. */
function calendar(from: string, to: string, holidays: readonly string[]): TradingDate[] {
  const out: TradingDate[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t);
    const iso = d.toISOString().slice(0, 10);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !holidays.includes(iso)) out.push(TradingDate(iso));
  }
  return out;
}

// 2023-12-29 … 2025-01-10 with the NYSE holidays that fall on period boundaries.
const CALENDAR = calendar('2023-12-26', '2025-01-10', [
  '2023-12-25',
  '2024-01-01', // New Year: the year's, the quarter's and the month's first trading day is Jan 2
  '2024-01-15', // MLK Monday: that week trades on Tuesday
  '2024-03-29', // Good Friday
  '2024-05-27', // Memorial Day
  '2024-07-04',
  '2024-09-02', // Labor Day: September's first trading day is the 3rd
  '2024-12-25',
  '2025-01-01',
]);

const calendarOf = (frequency: Extract<RebalanceSchedule, { kind: 'calendar' }>['frequency']) =>
  ({ kind: 'calendar', frequency }) as const;

function due(
  schedule: RebalanceSchedule,
  date: string,
  lastRebalance?: string,
  extra: Partial<DueInput> = {},
) {
  return isDue({
    schedule,
    date: TradingDate(date),
    ...(lastRebalance === undefined ? {} : { lastRebalance: TradingDate(lastRebalance) }),
    calendar: CALENDAR,
    current: new Map(),
    targets: new Map(),
    ...extra,
  });
}

/** The trading days a book with `schedule` trades on, from `from` to `to`, each rebalance counted. */
function tradingDaysOf(schedule: RebalanceSchedule, from: string, to: string, first?: string): string[] {
  let last = first;
  const out: string[] = [];
  for (const d of CALENDAR.filter((x) => x >= from && x <= to)) {
    if (due(schedule, d, last).due) {
      out.push(d);
      last = d;
    }
  }
  return out;
}

describe('isDue: calendar frequencies', () => {
  it('a book that never rebalanced is due whatever its frequency (its first investment)', () => {
    for (const f of ['none', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const)
      expect(due(calendarOf(f), '2024-05-15').due).toBe(true);
  });

  it('never on a day off the trading calendar', () => {
    expect(due(calendarOf('daily'), '2024-01-15', '2024-01-12')).toEqual({
      due: false,
      reason: '2024-01-15 is not a trading day',
    });
  });

  it('daily trades every trading day; none never again after the first investment', () => {
    expect(tradingDaysOf(calendarOf('daily'), '2024-01-10', '2024-01-17', '2024-01-09')).toEqual([
      '2024-01-10',
      '2024-01-11',
      '2024-01-12',
      '2024-01-16',
      '2024-01-17',
    ]);
    expect(tradingDaysOf(calendarOf('none'), '2024-01-10', '2024-12-31', '2024-01-09')).toEqual([]);
  });

  it('weekly trades the first trading day of each ISO week: Tuesday after a holiday Monday', () => {
    expect(tradingDaysOf(calendarOf('weekly'), '2024-01-02', '2024-01-26', '2023-12-27')).toEqual([
      '2024-01-02', // New Year's week starts on Tuesday
      '2024-01-08',
      '2024-01-16', // MLK day
      '2024-01-22',
    ]);
  });

  it('monthly, quarterly and yearly trade the first trading day of their period', () => {
    expect(tradingDaysOf(calendarOf('monthly'), '2024-07-01', '2024-10-31', '2024-06-03')).toEqual([
      '2024-07-01',
      '2024-08-01',
      '2024-09-03', // after Labor Day
      '2024-10-01',
    ]);
    expect(tradingDaysOf(calendarOf('quarterly'), '2024-01-02', '2024-12-31', '2023-12-27')).toEqual([
      '2024-01-02',
      '2024-04-01',
      '2024-07-01',
      '2024-10-01',
    ]);
    expect(tradingDaysOf(calendarOf('yearly'), '2024-01-02', '2025-01-10', '2023-12-27')).toEqual([
      '2024-01-02',
      '2025-01-02',
    ]);
  });

  it('a period whose first trading day had no rebalance catches up on its next trading day, once', () => {
    // The run of Monday 2024-04-01 did not rebalance (an outage): Tuesday does, Wednesday does not.
    expect(due(calendarOf('monthly'), '2024-04-02', '2024-03-01')).toEqual({
      due: true,
      reason: '2024-04 has had no rebalance since its first trading day 2024-04-01',
    });
    expect(due(calendarOf('monthly'), '2024-04-03', '2024-04-02').due).toBe(false);
    expect(due(calendarOf('monthly'), '2024-04-01', '2024-03-01').reason).toBe(
      'the first trading day of 2024-04',
    );
  });

  it('names ISO weeks across a year end: 2024-12-30 is in week 1 of 2025', () => {
    expect(periodOf('weekly', '2024-12-30')).toBe('2025-W01');
    expect(periodOf('weekly', '2024-12-27')).toBe('2024-W52');
    expect(periodOf('weekly', '2021-01-03')).toBe('2020-W53');
    expect(periodOf('quarterly', '2024-09-30')).toBe('2024-Q3');
    expect(due(calendarOf('weekly'), '2024-12-30', '2024-12-23').due).toBe(true);
    expect(due(calendarOf('weekly'), '2025-01-02', '2024-12-30').due).toBe(false);
  });
});

describe('isDue: threshold', () => {
  const schedule: RebalanceSchedule = { kind: 'threshold', threshold: Weight.parse('0.05') };
  const w = (entries: Record<string, string>) =>
    new Map(Object.entries(entries).map(([s, x]) => [Symbol(s), Weight.parse(x)]));
  const check = (current: Record<string, string>, targets: Record<string, string>) =>
    due(schedule, '2024-05-15', '2024-05-01', { current: w(current), targets: w(targets) });

  it('is not due while every weight is within the threshold of its target, bounds included', () => {
    expect(check({ A: '0.55', B: '0.45' }, { A: '0.5', B: '0.5' })).toEqual({
      due: false,
      reason: 'every weight is within 0.05 of its target',
    });
  });

  it('is due when a weight drifts beyond the threshold', () => {
    expect(check({ A: '0.5601', B: '0.4399' }, { A: '0.5', B: '0.5' })).toEqual({
      due: true,
      reason: 'A drifted 0.0601 from its target, more than 0.05',
    });
  });

  it('is due on a branch switch or an exit, however small the weights', () => {
    expect(check({ A: '0.98', B: '0.02' }, { A: '0.98', C: '0.02' }).reason).toBe('B leaves the portfolio');
    expect(check({ A: '1' }, { A: '0.99', C: '0.01' }).reason).toBe('C enters the portfolio');
  });
});

describe('isDue: an allocation change', () => {
  const allocation = (now: string, atLastRebalance?: string) => ({
    allocation: {
      now: Weight.parse(now),
      ...(atLastRebalance === undefined ? {} : { atLastRebalance: Weight.parse(atLastRebalance) }),
    },
  });

  it.each([
    ['weekly', calendarOf('weekly')],
    ['none', calendarOf('none')],
    ['threshold', { kind: 'threshold', threshold: Weight.parse('0.05') } as const],
  ])('makes a %s book due on a day it is otherwise not', (_name, schedule) => {
    // Wednesday of a week it rebalanced on Monday; threshold: every weight on target.
    expect(due(schedule, '2024-05-15', '2024-05-13')).toMatchObject({ due: false });
    expect(due(schedule, '2024-05-15', '2024-05-13', allocation('0.3', '0.2'))).toEqual({
      due: true,
      reason: 'its allocation changed from 0.2 to 0.3 since its rebalance on 2024-05-13',
    });
  });

  it('is no change when equal in value, or when the last rebalance recorded none', () => {
    expect(due(calendarOf('weekly'), '2024-05-15', '2024-05-13', allocation('0.30', '0.3')).due).toBe(false);
    expect(due(calendarOf('weekly'), '2024-05-15', '2024-05-13', allocation('0.3')).due).toBe(false);
  });

  it('never makes a day off the calendar due', () => {
    expect(due(calendarOf('weekly'), '2024-05-18', '2024-05-13', allocation('0.3', '0.2')).due).toBe(false);
  });
});
