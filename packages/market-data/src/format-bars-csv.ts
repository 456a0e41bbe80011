import { canonical, Decimal } from '@books/core';
import type { Bar } from './bar-store';
import { CSV_HEADER } from './csv-bar-store';

/**
 * The CSV text of one symbol's bars (`date,open,high,low,close,volume`, one line per bar, a final
 * newline), readable by `parseBarsCsv`.
 *
 * The close is written as its exact text (`closeText`). Open, high, low and volume exist only as
 * float64 in a `Bar`; they are written as the shortest text that reads back as the same float
 * (JavaScript's `String(n)`), with any exponent expanded — which is the decimal they were read
 * from, up to trailing zeros, for every value of at most 15 significant digits.
 */
export function formatBarsCsv(bars: readonly Bar[]): string {
  const lines = [CSV_HEADER];
  for (const b of bars)
    lines.push(
      `${b.date},${plain(b.open)},${plain(b.high)},${plain(b.low)},${b.closeText},${plain(b.volume)}`,
    );
  return `${lines.join('\n')}\n`;
}

function plain(n: number): string {
  const text = String(n);
  return /e/i.test(text) ? canonical(new Decimal(text)) : text;
}
