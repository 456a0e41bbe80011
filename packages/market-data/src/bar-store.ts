import { BooksError, Price, Symbol, type TradingDate } from '@books/core';

/** One daily bar. The close is kept both as float64 (statistics) and as its exact decimal text. */
export interface Bar {
  readonly date: TradingDate;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** The close exactly as the source wrote it, for decimal valuation (`Price.parse`). */
  readonly closeText: string;
  readonly volume: number;
}

/**
 * The port to daily bars. Adapters: a directory of CSV files (this package), S3 (later).
 * Results are ascending by date; an adapter caches what it parsed for the life of the instance.
 */
export interface BarStore {
  /** The bars of `symbol` on or before `until` (all when omitted); empty when there are none. */
  bars(symbol: string, until?: string): Promise<readonly Bar[]>;
  /**
   * The trading calendar: every date on or before `until` on which any symbol has a bar. A file
   * that is malformed (a BarFileError naming a line) is left out, never fatal here: only the
   * strategies that read that symbol fail, through `bars`. A file that cannot be read still throws.
   */
  calendar(until?: string): Promise<readonly TradingDate[]>;
  /**
   * Whether `calendar()` holds `date`, told from as few files as the store can (optional: without
   * it, ask `calendar`).
   */
  isTradingDay?(date: TradingDate): Promise<boolean>;
  /** Every symbol the store holds bars for, sorted. */
  symbols(): Promise<readonly string[]>;
}

/** A bars file that cannot be trusted: names the file and, when known, the line. */
export class BarFileError extends BooksError {
  static override readonly errorName: string = 'BarFileError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super('BAR_FILE', `${file}${line === undefined ? '' : `:${line}`}: ${problem}`, { file, line }, options);
  }
}

/** `/` in a symbol is written `.` in file and object names (BRK/B → BRK.B). */
export function fileStemOf(symbol: string): string {
  return symbol.toUpperCase().replace(/\//g, '.');
}

export function symbolOfStem(stem: string): string {
  return stem.replace(/\./g, '/');
}

/** Keeps the bars dated on or before `until` (bars ascending). */
export function barsUntil(bars: readonly Bar[], until: string | undefined): readonly Bar[] {
  if (until === undefined) return bars;
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((bars[mid] as Bar).date <= until) lo = mid + 1;
    else hi = mid;
  }
  return lo === bars.length ? bars : bars.slice(0, lo);
}

/** A file whose content is wrong (a line is named), as opposed to one that could not be read. */
export function isMalformedBarFile(e: unknown): e is BarFileError {
  return e instanceof BarFileError && e.line !== undefined;
}

/** The bars of a file for the calendar: a malformed file counts as none (see `BarStore.calendar`). */
export function barsForCalendar(load: Promise<readonly Bar[]>): Promise<readonly Bar[]> {
  return load.catch((e: unknown) => {
    if (isMalformedBarFile(e)) return [];
    throw e;
  });
}

/**
 * The closes of symbols on a day (the last bar on or before it; a symbol with none is left out),
 * each symbol's bars read once per returned function.
 */
export function closingPrices(
  bars: Pick<BarStore, 'bars'>,
): (symbols: readonly string[], date: string) => Promise<Map<Symbol, Price>> {
  const loaded = new Map<string, Promise<readonly Bar[]>>();
  return async (symbols, date) => {
    const out = new Map<Symbol, Price>();
    for (const s of symbols) {
      let series = loaded.get(s);
      if (!series) {
        series = bars.bars(s);
        loaded.set(s, series);
      }
      const last = (await series).filter((b) => b.date <= date).at(-1);
      if (last) out.set(Symbol(s), Price.parse(last.closeText, `close of ${s} on ${last.date}`));
    }
    return out;
  };
}
