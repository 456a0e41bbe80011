import { TradingDate } from '@books/core';
import {
  calendarDay,
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
