/**
 * `pnpm bench replay [--days N] [--wide] [--flow per-strategy|legacy]`: the replay of N trading days (default 250) × the three
 * example strategies (or, with --wide, 16 generated strategies over 60 generated symbols) on a
 * fresh in-memory embedded stack started and stopped here; prints days per second and the
 * wall-clock time of each stage: DSL evaluation, planning, queue, execution, ledger, reconcile. Target (issue 9): 250 × 3 within 3 minutes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../packages/core/src';
import { endpointsOf, startStack, stopStack } from '../../packages/local/src/stack';
import {
  generateSampleBars,
  SAMPLE_SYMBOLS,
  sampleTradingDays,
} from '../../packages/market-data/src/sample-bars';
import { runReplay, type StageTimings } from '../../packages/replay/src/replay/engine';
import type { ReplayFlow } from '../../packages/replay/src/replay/flows';
import { wideSymbols, writeWideStrategies } from './fixtures/wide';

const root = path.resolve(__dirname, '../..');
const FIRST_DAY = '2024-01-02';

/** `--days N`: an integer in 1 … 500 (the sample data holds about 500 days from 2024-01-02). */
function parseArgs(argv: readonly string[]): { days: number; wide: boolean; flow?: ReplayFlow } {
  const i = argv.indexOf('--days');
  const text = i >= 0 ? (argv[i + 1] ?? '') : '250';
  const days = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= 1 && days <= 500)) throw new Error(`--days must be an integer in 1 … 500, not "${text}"`);
  const f = argv.indexOf('--flow');
  const flow = f >= 0 ? argv[f + 1] : undefined;
  if (flow !== undefined && flow !== 'legacy' && flow !== 'per-strategy')
    throw new Error(`--flow must be per-strategy or legacy, not "${flow}"`);
  return { days, wide: argv.includes('--wide'), ...(flow ? { flow } : {}) };
}

/**
 * The replay's timings as the five stages of a day: DSL and ledger/queue time measured directly;
 * planning and execution the rest of their phase (never below 0: DSL and ledger calls of workers
 * running side by side may overlap).
 */
function stageBreakdown(t: StageTimings) {
  return {
    dsl: t.dslMs,
    planning: Math.max(0, t.planMs - t.dslMs - t.planLedgerMs - t.planQueueMs),
    queue: t.planQueueMs + t.executionQueueMs,
    execution: Math.max(0, t.executionMs - t.executionLedgerMs - t.executionQueueMs),
    ledger: t.planLedgerMs + t.executionLedgerMs,
  };
}

async function main(): Promise<void> {
  const { days, wide, flow } = parseArgs(process.argv.slice(2));
  const calendar = sampleTradingDays('2023-01-03', '2025-12-31');
  const replayDays = calendar.filter((d) => d >= FIRST_DAY).slice(0, days);
  const from = replayDays[0];
  const to = replayDays[replayDays.length - 1];
  if (from === undefined || to === undefined) throw new Error('no sample day to replay');

  const home = mkdtempSync(path.join(tmpdir(), 'books-bench-replay-'));
  const barsDir = path.join(home, 'bars');
  mkdirSync(barsDir);
  const symbols = wide ? wideSymbols() : SAMPLE_SYMBOLS;
  for (const [symbol, csv] of generateSampleBars(calendar, symbols))
    writeFileSync(path.join(barsDir, `${symbol}.csv`), csv);
  const config = wide
    ? writeWideStrategies(home, symbols)
    : path.join(root, 'strategies', 'config.local.json');
  const stage = 'bench';

  const t0 = performance.now();
  const stack = await startStack({ home, persist: false, record: false, stage });
  const startupMs = performance.now() - t0;
  try {
    const t1 = performance.now();
    const result = await runReplay({
      endpoints: endpointsOf(stack),
      stage,
      args: {
        from,
        to,
        config,
        data: barsDir,
        initialCash: '100000',
        ...(flow ? { flow } : {}),
      },
      stateFile: path.join(home, `replay-${stage}.json`),
      logger: createLogger({ service: 'bench-replay' }, { level: 'error', destination: process.stderr }),
    });
    const totalMs = performance.now() - t1;
    const { timings, summary } = result;
    // Books only: attributed rows are shares of the LEGACY book's trades, not trades of their own.
    const trades = summary.strategies.filter((s) => !s.attributed).reduce((n, s) => n + s.trades, 0);
    const strategies = summary.strategies.filter((s) => s.strategyId !== 'LEGACY').length;
    const stages = stageBreakdown(timings);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const share = (ms: number) => `${((ms / totalMs) * 100).toFixed(0)}%`;
    process.stdout.write(
      [
        `replay ${from} … ${to}${flow ? ` --flow ${flow}` : ''}: ${result.daysRun} days × ${strategies} strategies over ${symbols.length} symbols, ${trades} trades, reconciliation ${summary.reconciliation.matchDays}/${summary.reconciliation.days} MATCH`,
        `stack start            ${seconds(startupMs)}`,
        `total                  ${seconds(totalMs)}  (${(result.daysRun / (totalMs / 1000)).toFixed(2)} days/s, ${(totalMs / result.daysRun).toFixed(0)} ms/day)`,
        `DSL evaluation         ${seconds(stages.dsl)}  ${share(stages.dsl)}  (the workers' evaluations, bars included; concurrent workers count once)`,
        `planning               ${seconds(stages.planning)}  ${share(stages.planning)}  (state machine less its DSL, ledger and queue time: coordinator, capital, sizing, plans)`,
        `queue                  ${seconds(stages.queue)}  ${share(stages.queue)}  (SQS calls in flight: orders enqueued, the queue polled, messages deleted)`,
        `execution              ${seconds(stages.execution)}  ${share(stages.execution)}  (execution function less its ledger and queue time: orders and fills at the simulated broker)`,
        `ledger                 ${seconds(stages.ledger)}  ${share(stages.ledger)}  (DynamoDB calls in flight during planning and execution: books, plans, trades, transactions)`,
        `reconcile              ${seconds(timings.reconcileMs)}  ${share(timings.reconcileMs)}`,
        `record equity          ${seconds(timings.recordMs)}  ${share(timings.recordMs)}`,
        `target: 250 days × 3 within 180 s → ${wide ? `n/a (--wide; projected ${seconds((totalMs / result.daysRun) * 250)} for 250 days)` : days === 250 ? (totalMs <= 180_000 ? 'met' : 'MISSED') : `projected ${seconds((totalMs / result.daysRun) * 250)} for 250 days`}`,
        '',
      ].join('\n'),
    );
  } finally {
    await stopStack(stack);
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench replay: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
