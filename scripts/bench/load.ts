/**
 * `pnpm bench load [--strategies N] [--symbols M]`: one full daily cycle (coordinator → state
 * machine → strategy workers → SQS → execution → ledger → reconcile) of N generated strategies
 * (default 200) over M generated symbols (default 500) through LocalWorld, on a fresh in-memory
 * embedded stack started and stopped here. Prints the run's wall time, SQS messages per second
 * and, per function, invocations, busy time and the peak memory of this process while that
 * function had an invocation in flight. All functions share one Node process and heap, so these
 * are in-process figures (an upper bound per function), not Lambda's per-container memory.
 *
 * `pnpm bench load --alpaca [--rpm 200] [--speed 10] [--executions 2]`: the same cycle through the
 * Alpaca adapter against the rate-limited fake Alpaca server, every function on the account's one
 * request budget; prints requests per function, the peak per minute against the limit, and whether
 * the run finished inside the trading window (see load/alpaca-mode.ts).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createLogger, runIdOf } from '../../packages/core/src';
import { endpointsOf, startStack, stopStack } from '../../packages/local/src/stack';
import { writeLoadFixture } from '../../packages/local/test/load/load-fixture';
import { openLoadWorld } from '../../packages/local/test/load/open-load-world';
import { loadRunCompleteness } from '../../packages/operator/src/queries/run-query';
import { reconcilerFunction } from '../../packages/reconciler/src';
import { runAlpacaLoad } from './load/alpaca-mode';

function intArg(argv: readonly string[], name: string, fallback: number, max: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const text = argv[i + 1] ?? '';
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= max)) throw new Error(`${name} must be an integer in 1 … ${max}, not "${text}"`);
  return n;
}

interface FunctionFigures {
  invocations: number;
  inFlight: number;
  busyMs: number;
  busySince: number;
  firstStartedAt: number | undefined;
  peakRss: number;
  peakHeap: number;
}

/** Wraps handlers to count invocations and busy time, and samples memory while they run. */
class Meter {
  readonly figures = new Map<string, FunctionFigures>();
  private readonly timer: NodeJS.Timeout;

  constructor(sampleMs: number) {
    this.timer = setInterval(() => this.sample(), sampleMs);
  }

  wrap<E, R>(name: string, handler: (event: E) => Promise<R>): (event: E) => Promise<R> {
    const f: FunctionFigures = {
      invocations: 0,
      inFlight: 0,
      busyMs: 0,
      busySince: 0,
      firstStartedAt: undefined,
      peakRss: 0,
      peakHeap: 0,
    };
    this.figures.set(name, f);
    return async (event) => {
      f.invocations++;
      f.firstStartedAt ??= performance.now();
      if (f.inFlight++ === 0) f.busySince = performance.now();
      this.sample();
      try {
        return await handler(event);
      } finally {
        this.sample();
        if (--f.inFlight === 0) f.busyMs += performance.now() - f.busySince;
      }
    };
  }

  sample(): void {
    const m = process.memoryUsage();
    for (const f of this.figures.values()) {
      if (f.inFlight === 0) continue;
      f.peakRss = Math.max(f.peakRss, m.rss);
      f.peakHeap = Math.max(f.peakHeap, m.heapUsed);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const strategies = intArg(argv, '--strategies', 200, 1000);
  const symbols = intArg(argv, '--symbols', 500, 5000);
  const fixture = writeLoadFixture({ strategies, symbols });
  const home = path.dirname(fixture.barsDir);
  const stage = 'bench-load';
  const stack = await startStack({ home, persist: false, record: false, stage });
  if (argv.includes('--alpaca')) {
    try {
      const logger = createLogger({ service: 'bench-load' }, { level: 'error', destination: process.stderr });
      const result = await runAlpacaLoad({
        endpoints: endpointsOf(stack),
        fixture,
        stage,
        logger,
        perMinute: intArg(argv, '--rpm', 200, 10_000),
        speed: intArg(argv, '--speed', 10, 600),
        executions: intArg(argv, '--executions', 2, 50),
      });
      process.stdout.write(
        [`load: ${strategies} strategies over ${symbols} symbols`, ...result.lines].join('\n'),
      );
      if (!result.ok) process.exitCode = 1;
    } finally {
      await stopStack(stack);
      rmSync(home, { recursive: true, force: true });
    }
    return;
  }
  const meter = new Meter(25);
  try {
    const logger = createLogger({ service: 'bench-load' }, { level: 'error', destination: process.stderr });
    const world = await openLoadWorld(endpointsOf(stack), fixture, stage, logger);
    const handlers = world.functions;
    handlers.coordinator = meter.wrap('coordinator', handlers.coordinator);
    handlers.strategyWorker = meter.wrap('strategy-worker', handlers.strategyWorker);
    handlers.execution = meter.wrap('execution', handlers.execution);
    const reconcile = meter.wrap('reconciler', reconcilerFunction(world.services));

    const t0 = performance.now();
    const result = await world.runDay(fixture.runDay);
    const totalMs = performance.now() - t0;
    const planMs = (meter.figures.get('execution')?.firstStartedAt ?? performance.now()) - t0;
    const drainMs = totalMs - planMs;
    const t1 = performance.now();
    const recon = await reconcile({ date: fixture.runDay });
    const reconMs = performance.now() - t1;
    meter.stop();

    const runId = runIdOf(world.services.env.BOOKS_STAGE, fixture.runDay);
    const done = await loadRunCompleteness(world.services, runId, world.clock.now());
    const trades = done?.strategies.flatMap((s) => s.trades) ?? [];
    const notFinal = trades.filter((t) => !t.final).length;
    const traded = done?.strategies.filter((s) => s.status === 'TRADED').length ?? 0;
    const lines = [
      `load: ${strategies} strategies over ${symbols} symbols, run ${runId}`,
      `run                    ${done?.status ?? 'MISSING'}: ${traded}/${strategies} strategies TRADED, ${trades.length} trades, ${notFinal} not final`,
      `reconciliation         ${recon.ok ? 'MATCH' : `${recon.breaks.length} breaks`} (cash ${recon.cash.status})`,
      `wall time              ${seconds(totalMs)}  (state machine ${seconds(planMs)}, queue + execution ${seconds(drainMs)}; reconcile ${seconds(reconMs)} after)`,
      `messages               ${result.drain.delivered} delivered, ${result.drain.failed} failed, ${(result.drain.delivered / (drainMs / 1000)).toFixed(1)} msg/s while draining`,
      'per function (in-process: one Node process and heap for all functions; peaks while the function was in flight)',
      ...[...meter.figures].map(
        ([name, f]) =>
          `  ${name.padEnd(20)} ${String(f.invocations).padStart(5)} invocations  busy ${seconds(f.busyMs).padStart(8)}  peak RSS ${mb(f.peakRss).padStart(7)}  peak heap ${mb(f.peakHeap).padStart(7)}`,
      ),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    if (done?.status !== 'COMPLETE' || notFinal > 0 || !recon.ok) process.exitCode = 1;
  } finally {
    meter.stop();
    await stopStack(stack);
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
