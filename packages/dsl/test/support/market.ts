import { type CloseSeries, Market } from '../../src/market';

/** The date of synthetic day `i`: 2024-01-01 plus i days. */
export function dayDate(i: number): string {
  return new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
}

/**
 * A market from compact close lists: `{ SPY: '100 101 - 103' }`, one token per synthetic day,
 * `-` for no bar that day. The calendar is every day on which some symbol has a bar.
 */
export function marketOf(bars: Readonly<Record<string, string>>): Market {
  const series = new Map<string, CloseSeries>();
  for (const [symbol, text] of Object.entries(bars)) {
    const dates: string[] = [];
    const closes: number[] = [];
    text
      .trim()
      .split(/\s+/)
      .forEach((token, i) => {
        if (token === '-') return;
        dates.push(dayDate(i));
        closes.push(Number(token));
      });
    series.set(symbol, { dates, closes });
  }
  return Market.of([], series);
}
