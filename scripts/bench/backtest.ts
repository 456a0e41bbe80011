/**
 * `pnpm bench backtest [--days N] [--case examples|wide]`: `books backtest` in process over N
 * trading days (default 250) of generated bars, for the three example strategies and for 16
 * generated strategies over 60 symbols (`--wide` fixture of `bench replay`); each case in its own
 * process, so that its peak RSS is its own. Prints the wall time (opening the in-process stack
 * included, the process's own start not), ms per day, peak RSS and the RSS after each quarter of
 * the days (memory flat in the number of days), against the goals of issue 21: 250 days × the 3
 * examples ≤ 5 s, 250 days × 16 strategies over 60 symbols ≤ 20 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../packages/core/src';
import {
  generateSampleBars,
  SAMPLE_SYMBOLS,
  sampleTradingDays,
} from '../../packages/market-data/src/sample-bars';
import { runBacktest } from '../../packages/replay/src/backtest/engine';
import { wideSymbols, writeWideStrategies } from './fixtures/wide';

const root = path.resolve(__dirname, '../..');
const FIRST_DAY = '2024-01-02';
const GOAL_MS = { examples: 5_000, wide: 20_000 } as const;
type Case = keyof typeof GOAL_MS;

function parseArgs(argv: readonly string[]): { days: number; only: Case | undefined } {
  const i = argv.indexOf('--days');
  const text = i >= 0 ? (argv[i + 1] ?? '') : '250';
  const days = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= 1 && days <= 500)) throw new Error(`--days must be an integer in 1 … 500, not "${text}"`);
  const c = argv.indexOf('--case');
  const only = c >= 0 ? argv[c + 1] : undefined;
  if (only !== undefined && only !== 'examples' && only !== 'wide')
    throw new Error(`--case must be examples or wide, not "${only}"`);
  return { days, only };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

/** One case, in this process. */
async function runCase(which: Case, days: number): Promise<void> {
  const calendar = sampleTradingDays('2023-01-03', '2025-12-31');
  const backtestDays = calendar.filter((d) => d >= FIRST_DAY).slice(0, days);
  const from = backtestDays[0];
  const to = backtestDays[backtestDays.length - 1];
  if (from === undefined || to === undefined) throw new Error('no sample day to backtest');
  const home = mkdtempSync(path.join(tmpdir(), 'books-bench-backtest-'));
  try {
    const barsDir = path.join(home, 'bars');
    mkdirSync(barsDir);
    const symbols = which === 'wide' ? wideSymbols() : SAMPLE_SYMBOLS;
    for (const [symbol, csv] of generateSampleBars(calendar, symbols))
      writeFileSync(path.join(barsDir, `${symbol}.csv`), csv);
    const config =
      which === 'wide'
        ? writeWideStrategies(home, symbols)
        : path.join(root, 'strategies', 'config.local.json');
    const quarters: string[] = [];
    const heapAtStart = process.memoryUsage().heapUsed;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await runBacktest({
      args: { from, to, config, data: barsDir, initialCash: '100000' },
      logger: createLogger({ service: 'bench-backtest' }, { level: 'error', destination: process.stderr }),
      onProgress: (p) => {
        if (quarters.length < Math.floor((p.done * 4) / p.total)) {
          // Live memory: the heap after a full collection (node --expose-gc), beside the RSS.
          gc?.();
          const m = process.memoryUsage();
          quarters.push(`${p.done}d ${mb(m.rss)} (heap ${mb(m.heapUsed)})`);
        }
      },
    });
    const totalMs = performance.now() - t0;
    const runCpu = process.cpuUsage(cpu0);
    const cpu = process.cpuUsage();
    const { summary } = result;
    const trades = summary.strategies.reduce((n, s) => n + s.trades, 0);
    const peak = process.resourceUsage().maxRSS * 1024;
    const goal = GOAL_MS[which];
    process.stdout.write(
      [
        `backtest ${which}: ${from} … ${to}, ${result.totalDays} days × ${summary.strategies.length} strategies over ${symbols.length} symbols, ${trades} trades, reconciliation ${summary.reconciliation.matchDays}/${summary.reconciliation.days} MATCH`,
        `  wall time     ${(totalMs / 1000).toFixed(1)} s  (${(totalMs / result.totalDays).toFixed(1)} ms/day; days loop ${(result.elapsedMs / 1000).toFixed(1)} s)`,
        `  CPU           ${((runCpu.user + runCpu.system) / 1e6).toFixed(1)} s user+system over the wall time above; ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s the whole process, module loading included (the wall time is inflated when other jobs share the cores)`,
        `  peak RSS      ${mb(peak)}; heap ${mb(heapAtStart)} at start`,
        `  RSS by day    ${quarters.join(', ')}${gc ? '' : ' (heap without a collection: run with --expose-gc)'}`,
        `  goal          ${days === 250 ? `${goal / 1000} s: ${totalMs <= goal ? 'met' : 'MISSED'}` : `${goal / 1000} s for 250 days; projected ${(((totalMs / result.totalDays) * 250) / 1000).toFixed(1)} s`}`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { days, only } = parseArgs(process.argv.slice(2));
  if (only !== undefined) return runCase(only, days);
  // Each case in a fresh process of the same runtime (tsx), for its own peak RSS.
  const tsx = require.resolve('tsx', { paths: [root] });
  for (const which of ['examples', 'wide'] as const)
    execFileSync(
      process.execPath,
      ['--expose-gc', '--import', tsx, __filename, '--days', String(days), '--case', which],
      {
        stdio: 'inherit',
      },
    );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench backtest: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
