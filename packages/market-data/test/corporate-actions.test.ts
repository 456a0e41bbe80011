import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BarFileError,
  CORPORATE_ACTIONS_FILE,
  CsvBarStore,
  formatCorporateActions,
  NO_CORPORATE_ACTIONS,
  parseCorporateActions,
  splitAdjustedBars,
} from '../src';
import {
  generateSampleBars,
  SAMPLE_CORPORATE_ACTIONS,
  sampleCorporateActions,
  sampleTradingDays,
} from '../src/sample-bars';

function sampleDir(from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-ca-'));
  const days = sampleTradingDays(from, to);
  for (const [symbol, csv] of generateSampleBars(days)) writeFileSync(join(dir, `${symbol}.csv`), csv);
  writeFileSync(join(dir, CORPORATE_ACTIONS_FILE), formatCorporateActions(sampleCorporateActions(days)));
  return dir;
}

describe('corporate actions beside the bars', () => {
  it('holds a dividend on SPY, a 2:1 split, a 1:10 reverse split, a deposit and a withdrawal', () => {
    const a = SAMPLE_CORPORATE_ACTIONS;
    expect(a.dividends.map((d) => d.symbol)).toEqual(['SPY']);
    expect(a.splits.map((s) => `${s.symbol} ${s.to}:${s.from}`)).toEqual(['QQQ 2:1', 'TLT 1:10']);
    expect(a.cash.map((c) => c.type)).toEqual(['deposit', 'withdrawal']);
  });

  it('are read by the CSV bar store from corporate-actions.json, and are none when it is absent', async () => {
    const dir = sampleDir('2025-06-02', '2025-12-31');
    const store = new CsvBarStore(dir);
    expect(await store.corporateActions()).toEqual(SAMPLE_CORPORATE_ACTIONS);
    expect(await store.symbols()).not.toContain('CORPORATE-ACTIONS');
    expect(await new CsvBarStore(sampleDir('2024-01-02', '2024-03-01')).corporateActions()).toEqual(
      NO_CORPORATE_ACTIONS,
    );
  });

  it('rejects a malformed file naming the field', () => {
    const bad = JSON.stringify({ splits: [{ symbol: 'QQQ', exDate: '2025-10-06', from: '1', to: '0' }] });
    expect(() => parseCorporateActions(bad, 'x.json')).toThrow(BarFileError);
    expect(() => parseCorporateActions(bad, 'x.json')).toThrow(/splits\.0\.to: must be positive/);
    const early = JSON.stringify({
      dividends: [
        {
          symbol: 'SPY',
          exDate: '2025-09-19',
          recordDate: '2025-09-19',
          payDate: '2025-09-18',
          amountPerShare: '1',
        },
      ],
    });
    expect(() => parseCorporateActions(early, 'x.json')).toThrow(/must not precede the ex date/);
  });

  it('the raw sample bars show each split; the adjusted bars indicators read do not', async () => {
    const dir = sampleDir('2025-06-02', '2025-12-31');
    const raw = new CsvBarStore(dir);
    const qqq = await raw.bars('QQQ');
    const i = qqq.findIndex((b) => b.date === '2025-08-20');
    const rawMove = (qqq[i]?.close ?? 0) / (qqq[i - 1]?.close ?? 1);
    expect(rawMove).toBeLessThan(0.6);
    const adjusted = await splitAdjustedBars(raw, raw).bars('QQQ');
    const adjustedMove = (adjusted[i]?.close ?? 0) / (adjusted[i - 1]?.close ?? 1);
    expect(adjustedMove).toBeGreaterThan(0.9);
    expect(adjustedMove).toBeLessThan(1.1);
    expect(adjusted[i]).toEqual(qqq[i]);

    const tlt = await raw.bars('TLT');
    const adjustedTlt = await splitAdjustedBars(raw, raw).bars('TLT');
    const k = tlt.findIndex((b) => b.date === '2025-08-25');
    expect((tlt[k]?.close ?? 0) / (tlt[k - 1]?.close ?? 1)).toBeGreaterThan(8);
    expect((adjustedTlt[k]?.close ?? 0) / (adjustedTlt[k - 1]?.close ?? 1)).toBeLessThan(1.1);
    // Bars before the sample's actions are byte-identical to a range that ends before them.
    const before = readFileSync(join(sampleDir('2025-06-02', '2025-08-15'), 'QQQ.csv'), 'utf8');
    expect(readFileSync(join(dir, 'QQQ.csv'), 'utf8').startsWith(before)).toBe(true);
  });
});
