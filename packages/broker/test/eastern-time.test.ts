import { TradingDate } from '@books/core';
import { easternDate, easternToUtc, normaliseHhmm } from '../src';

describe('New York time', () => {
  it.each([
    ['2026-11-27', '13:00', '2026-11-27T18:00:00.000Z'],
    ['2026-07-02', '09:30', '2026-07-02T13:30:00.000Z'],
    ['2026-03-06', '16:00', '2026-03-06T21:00:00.000Z'],
    ['2026-03-09', '16:00', '2026-03-09T20:00:00.000Z'],
    ['2026-11-02', '09:30', '2026-11-02T14:30:00.000Z'],
  ])('places %s %s New York time at %s', (date, time, utc) => {
    expect(easternToUtc(TradingDate(date), time).toISOString()).toBe(utc);
  });

  it('accepts Alpaca\'s "0930" as well as "09:30" and rejects other shapes', () => {
    expect(normaliseHhmm('0930')).toBe('09:30');
    expect(normaliseHhmm('13:00')).toBe('13:00');
    expect(() => normaliseHhmm('9:30')).toThrow(RangeError);
    expect(() => normaliseHhmm('24:00')).toThrow(RangeError);
  });

  it('gives the New York date of an instant around midnight UTC', () => {
    expect(easternDate(new Date('2026-11-28T03:00:00Z'))).toBe('2026-11-27');
    expect(easternDate(new Date('2026-11-28T06:00:00Z'))).toBe('2026-11-28');
  });
});
