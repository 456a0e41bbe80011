import { TradingDate } from '@books/core';
import { dateRange, daysToList } from '@books/operator';
import { parsePrices } from '../src/commands/pnl';

const CALENDAR = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'].map((d) =>
  TradingDate(d),
);

describe('books pnl --prices', () => {
  it('parses SYMBOL=PRICE pairs into marks', () => {
    expect([...parsePrices('SPY=470.12, BRK/B=401')].map(([s, p]) => [s, p.toString()])).toEqual([
      ['SPY', '470.12'],
      ['BRK/B', '401'],
    ]);
  });

  it.each(['SPY', 'SPY=1=2', 'SPY=abc', 'SPY=-1'])('rejects %s', (text) => {
    expect(() => parsePrices(text)).toThrow();
  });
});

describe('books trades --from/--to', () => {
  it('covers whole New York days, the last one included', () => {
    expect(dateRange('2024-01-02', '2024-01-03')).toEqual({
      from: '2024-01-02T05:00:00.000Z',
      to: '2024-01-04T05:00:00.000Z',
    });
  });

  it('leaves an end open when not given', () => {
    expect(dateRange(undefined, undefined)).toEqual({});
    expect(dateRange('2024-07-01')).toEqual({ from: '2024-07-01T04:00:00.000Z' });
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => dateRange('2024-01-03', '2024-01-02')).toThrow(/after/);
  });
});

describe('books runs: which days to look at', () => {
  const now = new Date('2024-01-06T12:00:00Z');
  it.each([
    {
      name: 'the last N days up to the last run day',
      args: { last: 2 },
      lastRunDate: '2024-01-04',
      days: ['2024-01-03', '2024-01-04'],
    },
    {
      name: 'up to today when no run day is known',
      args: { last: 2 },
      lastRunDate: undefined,
      days: ['2024-01-04', '2024-01-05'],
    },
    {
      name: 'every day of --from/--to',
      args: { last: 1, from: '2024-01-03', to: '2024-01-05' },
      lastRunDate: undefined,
      days: ['2024-01-03', '2024-01-04', '2024-01-05'],
    },
    {
      name: 'the last N days up to --to',
      args: { last: 2, to: '2024-01-08' },
      lastRunDate: undefined,
      days: ['2024-01-05', '2024-01-08'],
    },
  ])('$name', ({ args, lastRunDate, days }) => {
    const ctx = {
      calendar: CALENDAR,
      now,
      ...(lastRunDate ? { lastRunDate: TradingDate(lastRunDate) } : {}),
    };
    expect(daysToList(ctx, args)).toEqual(days);
  });
});
