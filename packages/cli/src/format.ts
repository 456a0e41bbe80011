import type { Money } from '@books/core';
import type { SampleBarsGenerated } from '@books/local';
import type { Output } from '@books/operator';

/** Money to the cent (half-even), as text: `1234.50`, `-3.07`. */
export function cents(m: Money): string {
  return m.toCents().value.toFixed(2);
}

export type Align = 'left' | 'right';

export interface Column<Row> {
  readonly header: string;
  readonly align?: Align;
  readonly value: (row: Row) => string;
}

/** A plain text table: a header, a rule, one line per row; numbers right-aligned. */
export function table<Row>(columns: readonly Column<Row>[], rows: readonly Row[], indent = '  '): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    indent +
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? v.padStart(w) : v.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    indent + widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

export type { Output } from '@books/operator';

export const processOutput: Output = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** JSON for `--json`: decimal value objects serialize as their decimal strings. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `sample bars: generated FIRST … LAST in DIR`, said when the sample bars are written on first use. */
export function formatSampleBars(e: SampleBarsGenerated): string {
  return `sample bars: generated ${e.first} … ${e.last} in ${e.dir}\n`;
}
