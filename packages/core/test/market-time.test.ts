import { marketDateOf, marketOffsetMinutes, marketTimeToInstant, normaliseHhmm } from '../src';

describe('market time', () => {
  it.each([
    ['2026-11-24', '16:00', '2026-11-24T21:00:00.000Z'],
    ['2026-07-01', '16:00', '2026-07-01T20:00:00.000Z'],
    ['2026-03-09', '15:30', '2026-03-09T19:30:00.000Z'],
    ['2026-03-06', '15:30', '2026-03-06T20:30:00.000Z'],
    ['2026-11-27', '13:00', '2026-11-27T18:00:00.000Z'],
    ['2026-11-02', '09:30', '2026-11-02T14:30:00.000Z'],
  ])('converts %s %s New York time to %s, daylight saving included', (date, time, iso) => {
    expect(marketTimeToInstant(date, time).toISOString()).toBe(iso);
  });

  it('gives the New York calendar date of an instant, not the UTC one', () => {
    expect(marketDateOf(new Date('2026-11-25T02:30:00Z'))).toBe('2026-11-24');
    expect(marketDateOf(new Date('2026-11-24T14:30:00Z'))).toBe('2026-11-24');
  });

  it('rejects malformed times', () => {
    expect(() => marketTimeToInstant('2026-11-24', '4pm')).toThrow(/invalid wall-clock time "4pm"/);
  });

  it('gives the New York offset of an instant on each side of a daylight-saving change', () => {
    expect(marketOffsetMinutes(new Date('2026-03-08T06:59:59Z'))).toBe(-300);
    expect(marketOffsetMinutes(new Date('2026-03-08T07:00:00Z'))).toBe(-240);
    expect(marketOffsetMinutes(new Date('2026-11-01T05:59:59.500Z'))).toBe(-240);
    expect(marketOffsetMinutes(new Date('2026-11-01T06:00:00Z'))).toBe(-300);
  });

  it('accepts Alpaca\'s "0930" as well as "09:30" and rejects other shapes', () => {
    expect(normaliseHhmm('0930')).toBe('09:30');
    expect(normaliseHhmm('13:00')).toBe('13:00');
    expect(() => normaliseHhmm('9:30')).toThrow(RangeError);
    expect(() => normaliseHhmm('24:00')).toThrow(RangeError);
  });
});
