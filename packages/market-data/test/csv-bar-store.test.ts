import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TradingDate } from '@books/core';
import { CsvBarStore } from '../src';
import { type BarFiles, csv, describeBarStore } from './support/bar-store-suite';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function directoryOf(files: BarFiles): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bars-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

describeBarStore('CsvBarStore', async (files) => new CsvBarStore(directoryOf(files)));

describe('CsvBarStore', () => {
  it('parses each file once per instance', async () => {
    const dir = directoryOf({ 'SPY.csv': csv('2024-01-02,1,1,1,1.5,1') });
    const store = new CsvBarStore(dir);
    await store.bars('SPY');
    writeFileSync(path.join(dir, 'SPY.csv'), csv('2024-01-02,1,1,1,9,1'));
    expect((await store.bars('SPY'))[0]?.closeText).toBe('1.5');
    expect((await new CsvBarStore(dir).bars('SPY'))[0]?.closeText).toBe('9');
  });

  it('reports a missing directory', async () => {
    await expect(new CsvBarStore('/nonexistent/bars').calendar()).rejects.toThrow(
      'cannot list the bars directory',
    );
  });

  it('rejects a symbol that is not a ticker instead of reading an arbitrary path', async () => {
    await expect(new CsvBarStore(directoryOf({})).bars('../etc/passwd')).rejects.toThrow('is not a ticker');
  });
});

describe('CsvBarStore: whether a date is a trading day', () => {
  const files = {
    'SPY.csv': csv('2024-01-02,1,1,1,1.5,1', '2024-01-04,1,1,1,1.5,1'),
    'QQQ.csv': csv('2024-01-03,1,1,1,2.5,1'),
    // Malformed (a close of zero): left out of the calendar, so its date is no trading day.
    'BAD.csv': csv('2024-01-05,1,1,1,0,1'),
  };

  it.each(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06'])(
    'tells %s as the calendar lists it',
    async (date) => {
      const dir = directoryOf(files);
      const calendar = await new CsvBarStore(dir).calendar();
      expect(await new CsvBarStore(dir).isTradingDay(TradingDate(date))).toBe(
        calendar.includes(TradingDate(date)),
      );
    },
  );

  it('tells a date it holds from the files read already, reading no other', async () => {
    const dir = directoryOf(files);
    // A file that cannot be read: the calendar fails on it.
    mkdirSync(path.join(dir, 'ZZZ.csv'));
    await expect(new CsvBarStore(dir).calendar()).rejects.toThrow('cannot read the file');
    const store = new CsvBarStore(dir);
    await store.bars('SPY');
    expect(await store.isTradingDay(TradingDate('2024-01-04'))).toBe(true);
    // A date no file read holds is looked for in every other file.
    await expect(store.isTradingDay(TradingDate('2024-01-06'))).rejects.toThrow('cannot read the file');
  });
});
