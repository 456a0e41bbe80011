import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrategyId, type TradingDate } from '@books/core';
import { generateSampleBars, sampleTradingDays } from '@books/market-data';

/** The sample strategies of the workspace (`strategies/`) and the days and bars the suites run them on. */
export const STRATEGIES_DIR = join(__dirname, '../../../strategies');
export const SAMPLE_DAYS = sampleTradingDays('2023-01-03', '2024-12-31');
export const STRATEGY_IDS = ['breakout', 'mean_reversion', 'momentum'].map((s) => StrategyId(s));

let barsDir: string | undefined;
/** A directory of the generated sample bars over SAMPLE_DAYS, written once per test process. */
export function sampleBarsDir(): string {
  if (barsDir) return barsDir;
  barsDir = mkdtempSync(join(tmpdir(), 'books-e2e-bars-'));
  for (const [symbol, csv] of generateSampleBars(SAMPLE_DAYS))
    writeFileSync(join(barsDir, `${symbol}.csv`), csv);
  return barsDir;
}

/** `count` sample trading days from the first on or after `first`. */
export function daysFrom(first: string, count: number): TradingDate[] {
  const start = SAMPLE_DAYS.findIndex((d) => d >= first);
  return SAMPLE_DAYS.slice(start, start + count);
}
