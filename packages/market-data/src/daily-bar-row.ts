import type { Bar } from './bar-store';
import type { DailyBarRow } from './market-data-client';

const PLAIN = /^\d+(\.\d+)?$/;

/**
 * A fetched row as a stored bar, or why it cannot be one: every price and the volume must be a
 * plain non-negative decimal (what the CSV format holds), the close positive, low ≤ high.
 * Ordering against neighbouring rows is the caller's to check.
 */
export function barOfRow(row: DailyBarRow): { readonly bar: Bar } | { readonly problem: string } {
  const fields = [
    ['open', row.open],
    ['high', row.high],
    ['low', row.low],
    ['close', row.close],
    ['volume', row.volume],
  ] as const;
  for (const [name, text] of fields)
    if (!PLAIN.test(text)) return { problem: `${name} "${text}" is not a non-negative decimal` };
  const close = Number(row.close);
  if (!(close > 0)) return { problem: `close "${row.close}" is not positive` };
  const high = Number(row.high);
  const low = Number(row.low);
  if (low > high) return { problem: `low ${row.low} is above high ${row.high}` };
  return {
    bar: {
      date: row.date,
      open: Number(row.open),
      high,
      low,
      close,
      closeText: row.close,
      volume: Number(row.volume),
    },
  };
}

/** Whether a stored bar and a fetched one carry the same prices (a restatement changes them). */
export function samePrices(stored: Bar, fetched: Bar): boolean {
  return (
    stored.open === fetched.open &&
    stored.high === fetched.high &&
    stored.low === fetched.low &&
    stored.close === fetched.close
  );
}
