/**
 * A generated load: N strategies over M synthetic symbols, written to a temporary directory at
 * test or bench time (bars as CSV, strategies as DSL files, one config). Deterministic: the same
 * sizes give byte-identical files. Nothing here is committed as data.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TradingDate } from '@books/core';
import { generateSampleBars, type SampleSymbol, sampleTradingDays } from '@books/market-data';

export interface LoadFixture {
  readonly barsDir: string;
  readonly strategiesDir: string;
  readonly configFile: string;
  readonly symbols: readonly string[];
  readonly strategyIds: readonly string[];
  /** The day to run: the last of the generated bars. */
  readonly runDay: TradingDate;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Symbols held by each strategy's universe. */
const UNIVERSE = 5;

/** `LAAA`, `LAAB`, …: four letters, valid tickers, no clash with the sample symbols. */
export function loadSymbol(i: number): string {
  return `L${LETTERS[Math.floor(i / 676) % 26]}${LETTERS[Math.floor(i / 26) % 26]}${LETTERS[i % 26]}`;
}

function symbolSpec(i: number): SampleSymbol {
  return {
    symbol: loadSymbol(i),
    start: 20 + ((i * 37) % 280),
    drift: -0.05 + ((i * 13) % 25) / 100,
    volatility: 0.1 + ((i * 7) % 30) / 100,
  };
}

/** One of four strategy shapes, over a universe of five symbols. */
export function strategySource(i: number, universe: readonly string[]): string {
  const assets = universe.map((s) => `(asset "${s}")`).join(' ');
  const [a = '', b = '', c = ''] = universe;
  switch (i % 4) {
    case 0:
      return `(defsymphony "load ${i}" {} (weight-equal [(filter (cumulative-return {:window 10}) (select-top 2) [${assets}])]))\n`;
    case 1:
      return `(defsymphony "load ${i}" {}\n (if (> (current-price "${a}") (moving-average-price "${a}" {:window 20}))\n  (weight-equal [(asset "${a}") (asset "${b}")])\n  (asset "${c}")))\n`;
    case 2:
      return `(defsymphony "load ${i}" {} (weight-specified 0.6 (asset "${a}") 0.4 (asset "${b}")))\n`;
    default:
      return `(defsymphony "load ${i}" {} (weight-equal [(filter (rsi {:window 10}) (select-bottom 3) [${assets}])]))\n`;
  }
}

/**
 * Writes `strategies` strategies over `symbols` symbols with `days` trading days of bars ending on
 * the returned run day. Allocations are equal and sum to at most 0.99.
 */
export function writeLoadFixture(sizes: { strategies: number; symbols: number; days?: number }): LoadFixture {
  const root = mkdtempSync(join(tmpdir(), 'books-load-'));
  const barsDir = join(root, 'bars');
  const strategiesDir = join(root, 'strategies');
  mkdirSync(barsDir);
  mkdirSync(strategiesDir);
  const all = sampleTradingDays('2024-01-02', '2024-12-31');
  const days = all.slice(0, sizes.days ?? 60);
  const specs = Array.from({ length: sizes.symbols }, (_, i) => symbolSpec(i));
  for (const [symbol, csv] of generateSampleBars(days, specs))
    writeFileSync(join(barsDir, `${symbol}.csv`), csv);

  const allocation = (Math.floor((0.99 / sizes.strategies) * 1e6) / 1e6).toFixed(6);
  const strategyIds: string[] = [];
  const entries = Array.from({ length: sizes.strategies }, (_, i) => {
    const id = `load_${String(i).padStart(3, '0')}`;
    strategyIds.push(id);
    const universe = Array.from({ length: UNIVERSE }, (_, j) =>
      loadSymbol((i * UNIVERSE + j * 7) % sizes.symbols),
    );
    writeFileSync(join(strategiesDir, `${id}.clj`), strategySource(i, [...new Set(universe)]));
    return { file: `${id}.clj`, allocation, flow: 'per-strategy', enabled: true };
  });
  const configFile = 'config.load.json';
  writeFileSync(
    join(strategiesDir, configFile),
    `${JSON.stringify(
      { capitalPolicy: { mode: 'target' }, minTradeNotional: '1', runWindowMinutes: 60, strategies: entries },
      null,
      2,
    )}\n`,
  );
  const runDay = days[days.length - 1];
  if (runDay === undefined) throw new Error('no trading day generated');
  return {
    barsDir,
    strategiesDir,
    configFile,
    symbols: specs.map((s) => s.symbol),
    strategyIds,
    runDay,
  };
}
