/**
 * `pnpm bench flows [--days N]`: the same N trading days (default 20) of the sample data through
 * the legacy (merged) flow and through the per-strategy flow, each on a fresh stage of one
 * in-memory embedded stack with the same bars, configuration and initial cash, the two flows'
 * days interleaved. Prints side by side the end-to-end latency of each run, the counted AWS usage
 * and its cost at us-east-1 prices (scripts/bench/flows/cost-model.ts), and each strategy's P&L
 * from both flows. Targets (seed): per-strategy latency ≤ legacy + 10%, cost ≤ 1.2 × legacy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, LEGACY, Money, Quantity, TradingDate } from '../../packages/core/src';
import { LegacyRepository } from '../../packages/ledger-client/src';
import { attributedPnl } from '../../packages/legacy/src';
import { type LocalFunctionName, LocalWorld } from '../../packages/local/src/daily-run/local-world';
import { endpointsOf, flowFlagsFile, startStack, stopStack } from '../../packages/local/src/stack';
import { generateSampleBars, sampleTradingDays } from '../../packages/market-data/src/sample-bars';
import { strategyPnl } from '../../packages/operator/src/queries/book-queries';
import { loadReplayConfig } from '../../packages/replay/src/replay/engine';
import { type ReplayFlow, writeReplayFlowFlags } from '../../packages/replay/src/replay/flows';
import { functionMemorySizes } from '../../packages/replay/src/replay/function-memory';
import { gbSeconds, perRun } from './flows/cost-model';
import { type FlowFigures, flowFigures, pnlRows, targets } from './flows/figures';
import { UsageMeter } from './flows/meter';

const root = path.resolve(__dirname, '../..');
const FIRST_DAY = '2024-01-02';
const FLOWS: readonly ReplayFlow[] = ['legacy', 'per-strategy'];

function parseArgs(argv: readonly string[]): { days: number } {
  const i = argv.indexOf('--days');
  const text = i >= 0 ? (argv[i + 1] ?? '') : '20';
  const days = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= 1 && days <= 500)) throw new Error(`--days must be an integer in 1 … 500, not "${text}"`);
  return { days };
}

interface FlowRun {
  readonly flow: ReplayFlow;
  readonly world: LocalWorld;
  readonly meter: UsageMeter;
  readonly latenciesMs: number[];
}

async function main(): Promise<void> {
  const { days } = parseArgs(process.argv.slice(2));
  const calendar = sampleTradingDays('2023-01-03', '2025-12-31');
  const runDays = calendar.filter((d) => d >= FIRST_DAY).slice(0, days);
  const from = runDays[0];
  const to = runDays[runDays.length - 1];
  if (from === undefined || to === undefined) throw new Error('no sample day to run');

  const home = mkdtempSync(path.join(tmpdir(), 'books-bench-flows-'));
  const barsDir = path.join(home, 'bars');
  mkdirSync(barsDir);
  for (const [symbol, csv] of generateSampleBars(calendar))
    writeFileSync(path.join(barsDir, `${symbol}.csv`), csv);
  const configFile = path.join(root, 'strategies', 'config.local.json');
  const config = loadReplayConfig(configFile);
  const memory = functionMemorySizes<LocalFunctionName>([
    'coordinator',
    'strategyWorker',
    'execution',
    'legacy',
  ]);
  const initialCash = '100000';
  const logger = createLogger({ service: 'bench-flows' }, { level: 'error', destination: process.stderr });

  const stack = await startStack({ home, persist: false, record: false, stage: 'bench-flows' });
  try {
    const runs: FlowRun[] = [];
    for (const flow of FLOWS) {
      const stage = `flows-${flow}`;
      const flags = flowFlagsFile(home, stage);
      writeReplayFlowFlags(flags, config, flow);
      const meter = new UsageMeter(memory);
      const world = await LocalWorld.open({
        endpoints: endpointsOf(stack),
        stage,
        barsDir,
        strategiesDir: path.dirname(configFile),
        configFile: path.basename(configFile),
        logger,
        initialCash,
        barsHorizon: TradingDate(to),
        flowFlagsFile: flags,
        inject: meter.hooks,
      });
      meter.attach(world.services);
      runs.push({ flow, world, meter, latenciesMs: [] });
    }
    for (const [i, date] of runDays.entries()) {
      // Alternate which flow goes first, so neither always runs on a warmer process.
      for (const run of i % 2 === 0 ? runs : [...runs].reverse()) {
        const t0 = performance.now();
        await run.meter.run(() => run.world.runDay(date));
        run.latenciesMs.push(performance.now() - t0);
      }
      process.stderr.write(`\r${i + 1}/${runDays.length} days`);
    }
    process.stderr.write('\n');

    const [legacyRun, perRun_] = runs;
    if (!legacyRun || !perRun_) throw new Error('both flows must have run');
    const legacy = flowFigures(legacyRun.latenciesMs, legacyRun.meter.usage());
    const perStrategy = flowFigures(perRun_.latenciesMs, perRun_.meter.usage());
    const ids = config.strategies.map((s) => s.id);

    const own = new Map<string, Money>();
    const ownTrades = new Map<string, number>();
    for (const sid of ids) {
      const p = await strategyPnl(perRun_.world.services, sid);
      own.set(sid, p.realizedPnl.plus(p.unrealizedPnl));
      ownTrades.set(sid, (await perRun_.world.services.trades.listByStrategy(sid)).length);
    }
    const ls = legacyRun.world.services;
    const legacyBook = await strategyPnl(ls, LEGACY);
    const legacyTrades = await ls.trades.listLegacy();
    const shares = attributedPnl({
      strategyIds: ids,
      trades: legacyTrades,
      signals: await new LegacyRepository(ls.table).latestSignals(),
      legacy: legacyBook.positions.map((p) => ({ ...p, qty: Quantity.parse(p.qty) })),
    });
    const attributed = new Map(
      shares.map((a) => [a.strategyId as string, a.realizedPnl.plus(a.unrealizedPnl)]),
    );
    const accounts = await Promise.all(runs.map((r) => r.world.services.broker.getAccount()));

    process.stdout.write(
      report({
        header: `bench flows: ${runDays.length} trading days ${from} … ${to} × ${ids.length} strategies (${ids.join(', ')}), $${initialCash} each flow, sample bars, one fresh stage per flow`,
        legacy,
        perStrategy,
        legacyMeter: legacyRun.meter,
        perMeter: perRun_.meter,
        pnl: pnlRows(own, attributed),
        ownTrades,
        legacyTradesWithShare: new Map(
          ids.map((sid) => {
            const mine = legacyTrades.flatMap((t) => t.strategyWeights.filter((w) => w.strategyId === sid));
            const shared = mine.filter((w) => w.weight.value.lt(1)).length;
            return [sid, `${mine.length} (${shared} shared)`];
          }),
        ),
        legacyTrades: legacyTrades.length,
        legacyBookPnl: legacyBook.realizedPnl.plus(legacyBook.unrealizedPnl),
        accountEquity: accounts.map((a) => a.equity),
      }),
    );
  } finally {
    await stopStack(stack);
    rmSync(home, { recursive: true, force: true });
  }
}

function report(r: {
  header: string;
  legacy: FlowFigures;
  perStrategy: FlowFigures;
  legacyMeter: UsageMeter;
  perMeter: UsageMeter;
  pnl: ReturnType<typeof pnlRows>;
  ownTrades: ReadonlyMap<string, number>;
  legacyTradesWithShare: ReadonlyMap<string, string>;
  legacyTrades: number;
  legacyBookPnl: Money;
  accountEquity: readonly Money[];
}): string {
  const L = r.legacy;
  const P = r.perStrategy;
  const n = L.latency.runs;
  const lu = perRun(L.usage, n);
  const pu = perRun(P.usage, P.latency.runs);
  const t = targets(L, P);
  const fmt = (x: number, digits = 1) => x.toFixed(digits);
  const usd = (d: { toFixed(n: number): string }) => `$${d.toFixed(7)}`;
  const rows: [string, string, string, string][] = [
    [
      'latency per run, mean',
      `${fmt(L.latency.meanMs, 0)} ms`,
      `${fmt(P.latency.meanMs, 0)} ms`,
      'measured (wall clock, local)',
    ],
    [
      'latency per run, p50 / max',
      `${fmt(L.latency.p50Ms, 0)} / ${fmt(L.latency.maxMs, 0)} ms`,
      `${fmt(P.latency.p50Ms, 0)} / ${fmt(P.latency.maxMs, 0)} ms`,
      'measured',
    ],
  ];
  for (const fn of ['coordinator', 'strategyWorker', 'legacy', 'execution'] as const) {
    const a = lu.functions[fn];
    const b = pu.functions[fn];
    rows.push([
      `  ${fn} invocations / GB-s`,
      a ? `${fmt(a.invocations)} / ${gbSeconds(a).toFixed(3)}` : '0',
      b ? `${fmt(b.invocations)} / ${gbSeconds(b).toFixed(3)}` : '0',
      `counted / measured ms × ${(a ?? b)?.memoryMb ?? '?'} MB`,
    ]);
  }
  rows.push(
    [
      'SQS requests',
      fmt(lu.sqsRequests),
      fmt(pu.sqsRequests),
      `counted, all runs (${commands(r.legacyMeter)} | ${commands(r.perMeter)}); Receive/Delete/GetQueueAttributes are the local poller's, standing in for the event source mapping`,
    ],
    [
      'DynamoDB read units',
      fmt(lu.dynamodbReadUnits),
      fmt(pu.dynamodbReadUnits),
      unitsSource(r.legacyMeter, r.perMeter),
    ],
    ['DynamoDB write units', fmt(lu.dynamodbWriteUnits), fmt(pu.dynamodbWriteUnits), 'as above'],
    [
      'DynamoDB requests',
      fmt(r.legacyMeter.dynamodbRequests / n),
      fmt(r.perMeter.dynamodbRequests / P.latency.runs),
      'counted',
    ],
    [
      'Step Functions transitions',
      fmt(lu.stateTransitions),
      fmt(pu.stateTransitions),
      'derived: counted Task runs + the path’s Choice/Map/Pass states',
    ],
    [
      'cost: Lambda requests',
      usd(L.cost.lambdaRequests.dividedBy(n)),
      usd(P.cost.lambdaRequests.dividedBy(P.latency.runs)),
      'estimated',
    ],
    [
      'cost: Lambda compute',
      usd(L.cost.lambdaCompute.dividedBy(n)),
      usd(P.cost.lambdaCompute.dividedBy(P.latency.runs)),
      'estimated (local wall time as duration)',
    ],
    ['cost: SQS', usd(L.cost.sqs.dividedBy(n)), usd(P.cost.sqs.dividedBy(P.latency.runs)), 'estimated'],
    [
      'cost: DynamoDB',
      usd(L.cost.dynamodb.dividedBy(n)),
      usd(P.cost.dynamodb.dividedBy(P.latency.runs)),
      'estimated',
    ],
    [
      'cost: Step Functions',
      usd(L.cost.stepFunctions.dividedBy(n)),
      usd(P.cost.stepFunctions.dividedBy(P.latency.runs)),
      'estimated',
    ],
    [
      'cost per run, total',
      usd(L.costPerRun),
      usd(P.costPerRun),
      'estimated, us-east-1 list prices, free tiers ignored',
    ],
  );
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((x) => x[i]?.length ?? 0), ['', 'legacy', 'per-strategy'][i]?.length ?? 0),
  );
  const line = (c: readonly string[]) =>
    `${(c[0] ?? '').padEnd(widths[0] ?? 0)}  ${(c[1] ?? '').padStart(widths[1] ?? 0)}  ${(c[2] ?? '').padStart(widths[2] ?? 0)}  ${c[3] ?? ''}`;
  const pnlWidth = Math.max(8, ...r.pnl.map((p) => p.strategyId.length));
  const out = [
    r.header,
    '',
    'per run (one trading day, DailyRun + the execution queue drained)',
    line(['', 'legacy', 'per-strategy', '']),
    ...rows.map(line),
    '',
    `target latency per-strategy ≤ legacy + 10%: ratio ${t.latencyRatio.toFixed(3)} → ${t.latencyMet ? 'met' : 'MISSED'}`,
    `target cost per-strategy ≤ 1.2 × legacy:     ratio ${t.costRatio.toFixed(3)} → ${t.costMet ? 'met' : 'MISSED'}`,
    '',
    'P&L (realized + unrealized at the last close) per strategy: its own book (per-strategy flow) vs its attributed share of the LEGACY book (legacy flow)',
    `${'strategy'.padEnd(pnlWidth)}  ${'per-strategy'.padStart(12)}  ${'attributed'.padStart(12)}  ${'difference'.padStart(11)}  trades (own | legacy with its share)`,
    ...r.pnl.map(
      (p) =>
        `${p.strategyId.padEnd(pnlWidth)}  ${p.perStrategy.toCents().value.toFixed(2).padStart(12)}  ${p.attributed.toCents().value.toFixed(2).padStart(12)}  ${p.difference.toCents().value.toFixed(2).padStart(11)}  ${r.ownTrades.get(p.strategyId) ?? 0} | ${r.legacyTradesWithShare.get(p.strategyId) ?? '0'}`,
    ),
    `${'Σ'.padEnd(pnlWidth)}  ${Money.sum(r.pnl.map((p) => p.perStrategy))
      .toCents()
      .value.toFixed(2)
      .padStart(12)}  ${Money.sum(r.pnl.map((p) => p.attributed))
      .toCents()
      .value.toFixed(2)
      .padStart(12)}  ${Money.sum(r.pnl.map((p) => p.difference))
      .toCents()
      .value.toFixed(2)
      .padStart(11)}  LEGACY book: ${r.legacyBookPnl.toCents().value.toFixed(2)}, ${r.legacyTrades} trades`,
    `account equity at the end: legacy ${r.accountEquity[0]?.toCents().value.toFixed(2)}, per-strategy ${r.accountEquity[1]?.toCents().value.toFixed(2)}`,
    '(a strategy whose legacy trades are all its own (0 shared) and as many as its own book’s should agree to rounding; shared trades are netted across strategies, their realized P&L split by strategy_weights and the held positions by the latest run’s contributions, so the split differs while Σ stays the LEGACY book)',
    '',
  ];
  return out.join('\n');
}

function commands(m: UsageMeter): string {
  return [...m.sqsByCommand].map(([c, k]) => `${c.replace(/Command$/, '')} ${k}`).join(', ');
}

function unitsSource(a: UsageMeter, b: UsageMeter): string {
  const unreported = a.dynamodbUnreported + b.dynamodbUnreported;
  return unreported === 0
    ? 'ConsumedCapacity reported by DynamoDB Local'
    : `ConsumedCapacity reported by DynamoDB Local; ${unreported} requests reported none (not costed)`;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench flows: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
