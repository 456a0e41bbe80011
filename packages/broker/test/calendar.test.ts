import { TradingDate } from '@books/core';
import {
  calendarDay,
  calendarDayOnDemand,
  clockFromCalendar,
  clockFromSortedCalendar,
  sessionAt,
  sessionAtSorted,
} from '../src/calendar';

describe('the market clock over a calendar in time order', () => {
  const days = [
    calendarDay(TradingDate('2024-11-27'), '09:30', '16:00'),
    calendarDay(TradingDate('2024-11-29'), '09:30', '13:00'),
    calendarDay(TradingDate('2024-12-02'), '09:30', '16:00'),
  ];
  const instants = [
    '2024-11-26T12:00:00Z',
    '2024-11-27T14:30:00Z', // the open
    '2024-11-27T18:00:00Z',
    '2024-11-27T21:00:00Z', // the close
    '2024-11-28T15:00:00Z', // a holiday
    '2024-11-29T17:59:59Z',
    '2024-11-29T18:00:00Z', // an early close
    '2024-12-02T15:00:00Z',
    '2024-12-02T21:00:00Z', // the last close
    '2024-12-03T15:00:00Z',
  ].map((t) => new Date(t));

  it.each(instants.map((t) => [t.toISOString(), t]))(
    'answers as the scan of every day does at %s',
    (_at, now) => {
      expect(clockFromSortedCalendar(days, now)).toEqual(clockFromCalendar(days, now));
      expect(sessionAtSorted(days, now)).toEqual(sessionAt(days, now));
    },
  );
});

describe('a calendar day whose instants are converted on demand', () => {
  const specs: readonly [string, string, string][] = [
    ['2024-03-08', '09:30', '16:00'], // New York winter
    ['2024-03-11', '0930', '1600'], // summer time, times as HHMM
    ['2024-11-29', '09:30', '13:00'], // an early close
  ];

  it.each(specs)('is the calendar day of %s %s–%s', (date, open, close) => {
    const day = calendarDayOnDemand(TradingDate(date), open, close);
    expect(day).toEqual(calendarDay(TradingDate(date), open, close));
    expect({ ...day }).toEqual(calendarDay(TradingDate(date), open, close));
  });

  it('converts an instant when first read and keeps it: the same Date at every read', () => {
    const day = calendarDayOnDemand(TradingDate('2024-03-11'), '09:30', '16:00');
    expect(Object.getOwnPropertyDescriptor(day, 'openAt')?.get).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(day, 'closeAt')?.get).toBeDefined();
    expect(day.openAt.toISOString()).toBe('2024-03-11T13:30:00.000Z');
    expect(day.closeAt.toISOString()).toBe('2024-03-11T20:00:00.000Z');
    expect(day.openAt).toBe(day.openAt);
    expect(day.closeAt).toBe(day.closeAt);
  });

  it('rejects a malformed time when made, as calendarDay does', () => {
    expect(() => calendarDayOnDemand(TradingDate('2024-03-11'), '9:30', '16:00')).toThrow(RangeError);
    expect(() => calendarDay(TradingDate('2024-03-11'), '9:30', '16:00')).toThrow(RangeError);
  });

  it('is made by calendarDay with plain values: nothing left to convert', () => {
    const day = calendarDay(TradingDate('2024-03-11'), '09:30', '16:00');
    expect(Object.getOwnPropertyDescriptor(day, 'openAt')?.value).toEqual(new Date('2024-03-11T13:30:00Z'));
  });
});
