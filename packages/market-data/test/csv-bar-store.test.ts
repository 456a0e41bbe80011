import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
