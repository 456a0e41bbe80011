import { marketTimeToInstant, TradingDate } from '@books/core';
import { decideRunWindow, type TradingSession } from '../src/run-window';

function session(date: string, close = '16:00'): TradingSession {
  return {
    date: TradingDate(date),
    openAt: marketTimeToInstant(date, '09:30'),
    closeAt: marketTimeToInstant(date, close),
  };
}
const at = (date: string, time: string) => marketTimeToInstant(date, time);

describe('run window', () => {
  it('runs at 15:30 New York on a normal trading day', () => {
    const d = decideRunWindow(
      at('2026-11-24', '15:30'),
      TradingDate('2026-11-24'),
      session('2026-11-24'),
      30,
    );
    expect(d).toMatchObject({ run: true, minutesToClose: 30 });
  });

  it('skips a holiday with "market closed"', () => {
    const d = decideRunWindow(at('2026-11-26', '15:30'), TradingDate('2026-11-26'), undefined, 30);
    expect(d).toEqual({ run: false, reason: 'skipped: market closed (2026-11-26 is not a trading day)' });
  });

  it('skips the 12:30 trigger on a normal day as too early', () => {
    const d = decideRunWindow(
      at('2026-11-24', '12:30'),
      TradingDate('2026-11-24'),
      session('2026-11-24'),
      30,
    );
    expect(d.run).toBe(false);
    expect(d.run === false && d.reason).toMatch(/outside the run window/);
  });

  it('runs the 12:30 trigger on an early-close day and skips its 15:30 trigger', () => {
    const early = session('2026-11-27', '13:00');
    expect(decideRunWindow(at('2026-11-27', '12:30'), TradingDate('2026-11-27'), early, 30)).toMatchObject({
      run: true,
    });
    const late = decideRunWindow(at('2026-11-27', '15:30'), TradingDate('2026-11-27'), early, 30);
    expect(late.run === false && late.reason).toMatch(
      /^skipped: market closed \(closed at 2026-11-27T18:00:00.000Z\)/,
    );
  });

  it('uses the close of the day across daylight-saving changes', () => {
    // 2026-03-09 is the first Monday on EDT: 15:30 ET = 19:30Z.
    const d = decideRunWindow(
      new Date('2026-03-09T19:30:00Z'),
      TradingDate('2026-03-09'),
      session('2026-03-09'),
      30,
    );
    expect(d).toMatchObject({ run: true, minutesToClose: 30 });
    // The same UTC time on the Friday before (EST) is 14:30 ET: too early.
    const before = decideRunWindow(
      new Date('2026-03-06T19:30:00Z'),
      TradingDate('2026-03-06'),
      session('2026-03-06'),
      30,
    );
    expect(before.run).toBe(false);
  });

  it('does not run a session of another day', () => {
    const d = decideRunWindow(
      at('2026-11-24', '15:30'),
      TradingDate('2026-11-24'),
      session('2026-11-23'),
      30,
    );
    expect(d.run).toBe(false);
  });

  it('honours a configured window', () => {
    expect(
      decideRunWindow(at('2026-11-24', '15:00'), TradingDate('2026-11-24'), session('2026-11-24'), 60),
    ).toMatchObject({ run: true });
  });
});
