import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SymbolSchema, TradingDate, ValidationError } from '@books/core';
import {
  type Bar,
  BarFileError,
  type BarStore,
  barsForCalendar,
  barsUntil,
  fileStemOf,
  symbolOfStem,
} from './bar-store';
import {
  CORPORATE_ACTIONS_FILE,
  type CorporateActions,
  type CorporateActionsSource,
  NO_CORPORATE_ACTIONS,
  parseCorporateActions,
} from './corporate-actions';
export const CSV_HEADER = 'date,open,high,low,close,volume';
const NUM = '(\\d+(?:\\.\\d+)?)';
const LINE = new RegExp(`^(\\d{4}-\\d{2}-\\d{2}),${NUM},${NUM},${NUM},${NUM},${NUM}\\r?$`);
const PRICE = /^\d+(\.\d+)?$/;

/** Dates already validated (calendars repeat across files): date text → its TradingDate. */
const knownDates = new Map<string, TradingDate>();

function dateOf(text: string, file: string, line: number): TradingDate {
  const known = knownDates.get(text);
  if (known !== undefined) return known;
  try {
    const d = TradingDate(text);
    knownDates.set(text, d);
    return d;
  } catch (e) {
    throw new BarFileError(file, line, `"${text}" is not a date YYYY-MM-DD`, { cause: e });
  }
}

/** Why a line that does not match the fast pattern is malformed. */
function diagnose(raw: string, file: string, line: number): BarFileError {
  const fields = raw.split(',').map((f) => f.trim());
  if (fields.length !== 6) return new BarFileError(file, line, `expected 6 fields, got ${fields.length}`);
  dateOf(fields[0] as string, file, line);
  const names = ['open', 'high', 'low', 'close', 'volume'];
  for (let k = 1; k < 6; k++) {
    const v = fields[k] as string;
    if (!PRICE.test(v))
      return new BarFileError(file, line, `${names[k - 1]} "${v}" is not a non-negative decimal`);
  }
  return new BarFileError(file, line, 'malformed line (stray spaces?)');
}

/**
 * Parses one symbol's CSV (`date,open,high,low,close,volume`, dates strictly ascending, closes
 * positive). Any malformed line rejects the whole file, naming the file and the line.
 */
export function parseBarsCsv(text: string, file: string): Bar[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').trim();
  if (header !== CSV_HEADER)
    throw new BarFileError(file, 1, `expected the header "${CSV_HEADER}", got "${header}"`);
  const bars: Bar[] = [];
  let previous = '';
  let last = lines.length - 1;
  while (last >= 1 && (lines[last] as string).trim() === '') last--;
  for (let k = 1; k <= last; k++) {
    const raw = lines[k] as string;
    const line = k + 1;
    const m = LINE.exec(raw);
    if (m === null) {
      if (raw.trim() === '') throw new BarFileError(file, line, 'blank line between bars');
      throw diagnose(raw, file, line);
    }
    const date = dateOf(m[1] as string, file, line);
    if (date <= previous) {
      throw new BarFileError(
        file,
        line,
        date === previous
          ? `duplicate bar for ${date}`
          : `${date} comes after ${previous}: dates must ascend`,
      );
    }
    const closeText = m[5] as string;
    const close = Number(closeText);
    if (!(close > 0)) throw new BarFileError(file, line, `close "${closeText}" is not positive`);
    bars.push({
      date,
      open: Number(m[2]),
      high: Number(m[3]),
      low: Number(m[4]),
      close,
      closeText,
      volume: Number(m[6]),
    });
    previous = date;
  }
  return bars;
}

/**
 * Bars from a directory of CSV files, one per symbol (`SPY.csv`, `BRK.B.csv` for BRK/B).
 * Each file is read and parsed at most once per instance.
 */
export class CsvBarStore implements BarStore, CorporateActionsSource {
  private readonly parsed = new Map<string, Promise<readonly Bar[]>>();
  private actions: Promise<CorporateActions> | undefined;
  private allDates: Promise<readonly TradingDate[]> | undefined;
  private listing: Promise<readonly string[]> | undefined;

  constructor(readonly directory: string) {}

  async bars(symbol: string, until?: string): Promise<readonly Bar[]> {
    if (!SymbolSchema.safeParse(symbol.toUpperCase()).success) {
      throw new ValidationError(`${JSON.stringify(symbol)} is not a ticker`, [
        { path: '', message: 'not a ticker' },
      ]);
    }
    return barsUntil(await this.load(fileStemOf(symbol)), until);
  }

  async calendar(until?: string): Promise<readonly TradingDate[]> {
    this.allDates ??= this.buildCalendar();
    const dates = await this.allDates;
    return until === undefined ? dates : dates.filter((d) => d <= until);
  }

  /**
   * Whether `calendar()` holds `date`, reading files only until one has a bar that date (the files
   * read already first): as the calendar, a malformed file counts as none. A date the calendar
   * holds is told from one file, where the calendar reads every file (then a file that cannot be
   * read fails the answer only if it is reached); a date it lacks is told after every file.
   */
  async isTradingDay(date: TradingDate): Promise<boolean> {
    if (this.allDates) return (await this.allDates).includes(date);
    const stems = await this.stems();
    const read = stems.filter((s) => this.parsed.has(s));
    for (const stem of [...read, ...stems.filter((s) => !this.parsed.has(s))]) {
      const bars = await barsForCalendar(this.load(stem));
      if (bars.some((b) => b.date === date)) return true;
    }
    return false;
  }

  async symbols(): Promise<readonly string[]> {
    return (await this.stems()).map(symbolOfStem).sort();
  }

  /** `corporate-actions.json` in the directory; none when it is absent. */
  async corporateActions(): Promise<CorporateActions> {
    const file = path.join(this.directory, CORPORATE_ACTIONS_FILE);
    this.actions ??= readFile(file, 'utf8').then(
      (text) => parseCorporateActions(text, file),
      (e: unknown) => {
        if (isNotFound(e)) return NO_CORPORATE_ACTIONS;
        throw new BarFileError(file, undefined, 'cannot read the file', { cause: e });
      },
    );
    return this.actions;
  }

  private stems(): Promise<readonly string[]> {
    this.listing ??= readdir(this.directory).then(
      (names) => names.filter((n) => n.endsWith('.csv')).map((n) => n.slice(0, -'.csv'.length)),
      (e: unknown) => {
        throw new BarFileError(this.directory, undefined, 'cannot list the bars directory', { cause: e });
      },
    );
    return this.listing;
  }

  private load(stem: string): Promise<readonly Bar[]> {
    let p = this.parsed.get(stem);
    if (p === undefined) {
      const file = path.join(this.directory, `${stem}.csv`);
      p = readFile(file, 'utf8').then(
        (text) => parseBarsCsv(text, file),
        (e: unknown) => {
          if (isNotFound(e)) return [];
          throw new BarFileError(file, undefined, 'cannot read the file', { cause: e });
        },
      );
      this.parsed.set(stem, p);
    }
    return p;
  }

  private async buildCalendar(): Promise<readonly TradingDate[]> {
    const days = new Set<TradingDate>();
    const stems = await this.stems();
    const batch = 32;
    for (let k = 0; k < stems.length; k += batch) {
      const loaded = await Promise.all(stems.slice(k, k + batch).map((s) => barsForCalendar(this.load(s))));
      for (const bars of loaded) for (const b of bars) days.add(b.date);
    }
    return [...days].sort();
  }
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}
