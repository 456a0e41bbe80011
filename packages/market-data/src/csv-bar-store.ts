import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SymbolSchema, TradingDate, ValidationError } from '@books/core';
import { type Bar, BarFileError, type BarStore, barsUntil, fileStemOf, symbolOfStem } from './bar-store';
export const CSV_HEADER = 'date,open,high,low,close,volume';
const PRICE = /^\d+(\.\d+)?$/;
const VOLUME = /^\d+(\.\d+)?$/;

/**
 * Parses one symbol's CSV (`date,open,high,low,close,volume`, dates strictly ascending).
 * Any malformed line rejects the whole file, naming the file and the line.
 */
export function parseBarsCsv(text: string, file: string): Bar[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').trim();
  if (header !== CSV_HEADER)
    throw new BarFileError(file, 1, `expected the header "${CSV_HEADER}", got "${header}"`);
  const bars: Bar[] = [];
  let previous = '';
  for (let k = 1; k < lines.length; k++) {
    const raw = (lines[k] as string).replace(/\r$/, '');
    const line = k + 1;
    if (raw.trim() === '') {
      if (lines.slice(k + 1).some((l) => l.trim() !== ''))
        throw new BarFileError(file, line, 'blank line between bars');
      break;
    }
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length !== 6) throw new BarFileError(file, line, `expected 6 fields, got ${fields.length}`);
    const [dateText, open, high, low, close, volume] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    let date: TradingDate;
    try {
      date = TradingDate(dateText);
    } catch (e) {
      throw new BarFileError(file, line, `"${dateText}" is not a date YYYY-MM-DD`, { cause: e });
    }
    if (date <= previous) {
      throw new BarFileError(
        file,
        line,
        date === previous
          ? `duplicate bar for ${date}`
          : `${date} comes after ${previous}: dates must ascend`,
      );
    }
    for (const [name, value] of [
      ['open', open],
      ['high', high],
      ['low', low],
      ['close', close],
    ] as const) {
      if (!PRICE.test(value)) throw new BarFileError(file, line, `${name} "${value}" is not a decimal price`);
    }
    if (!VOLUME.test(volume))
      throw new BarFileError(file, line, `volume "${volume}" is not a non-negative number`);
    const closeValue = Number(close);
    if (!(closeValue > 0)) throw new BarFileError(file, line, `close "${close}" is not positive`);
    bars.push({
      date,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: closeValue,
      closeText: close,
      volume: Number(volume),
    });
    previous = date;
  }
  return bars;
}

/**
 * Bars from a directory of CSV files, one per symbol (`SPY.csv`, `BRK.B.csv` for BRK/B).
 * Each file is read and parsed at most once per instance.
 */
export class CsvBarStore implements BarStore {
  private readonly parsed = new Map<string, Promise<readonly Bar[]>>();
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

  async symbols(): Promise<readonly string[]> {
    return (await this.stems()).map(symbolOfStem).sort();
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
      const loaded = await Promise.all(stems.slice(k, k + batch).map((s) => this.load(s)));
      for (const bars of loaded) for (const b of bars) days.add(b.date);
    }
    return [...days].sort();
  }
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}
