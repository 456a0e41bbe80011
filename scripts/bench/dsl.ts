/**
 * `pnpm bench dsl [--reps N] [--only SUBSTRING]`: parse → check → plan time, evaluation time for
 * one date and for 250 consecutive dates (median of N passes), and peak memory, for each public
 * conformance strategy and a generated 2 MB strategy with hundreds of nested group filters; the
 * same 250 dates traced (`Session.explain`), the ratio of the medians traced/plain (goal ≤ 1.2)
 * with the range of the per-pass ratios, the time to build the plain traces from the recordings
 * (paid once per stored run, not per evaluation) and the largest trace's size.
 * Needs ../shared/conformance.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { barPortFrom, type CompiledStrategy, compile, Market, Session } from '../../packages/dsl/src';
import { CsvBarStore } from '../../packages/market-data/src';

const root = path.resolve(__dirname, '../..');
const conformance = path.resolve(root, '../shared/conformance');
const dataDir = path.join(conformance, 'market-data');
const strategiesDir = path.join(conformance, 'cases/strategies');
const LAST = '2025-10-01';

function strategyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return strategyFiles(full);
    return name.endsWith('.clj') ? [full] : [];
  });
}

/** A deterministic generator (no Math.random: the same strategy every run). */
function lcg(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** A Composer-like strategy of about `targetBytes`: sections of group filters nested 4 deep. */
function generatedStrategy(symbols: readonly string[], targetBytes: number): string {
  const rnd = lcg(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const metrics = ['rsi', 'cumulative-return', 'moving-average-return', 'stdev-return', 'max-drawdown'];
  const asset = () => {
    const s = pick(symbols);
    return `(asset "${s}" "${s} — a generated description of the fund, as Composer exports carry one")`;
  };
  let groups = 0;
  const node = (depth: number): string => {
    if (depth === 0) {
      const s = pick(symbols);
      return `(if (> (rsi "${s}" {:window ${5 + Math.floor(rnd() * 10)}}) ${40 + Math.floor(rnd() * 30)})\n [(weight-equal [${asset()} ${asset()}])]\n [(weight-equal [${asset()}])])`;
    }
    const members = Array.from({ length: 3 }, () => {
      groups++;
      return `(group "level ${depth} group ${groups}"\n [(weight-equal [${node(depth - 1)}])])`;
    });
    const metric = pick(metrics);
    const window = 3 + Math.floor(rnd() * 8);
    return `(filter (${metric} {:window ${window}}) (${rnd() < 0.5 ? 'select-top' : 'select-bottom'} ${1 + Math.floor(rnd() * 2)})\n [${members.join('\n ')}])`;
  };
  const sections: string[] = [];
  let size = 0;
  while (size < targetBytes) {
    const s = pick(symbols);
    const section = `(if (> (current-price "${s}") (moving-average-price "${s}" {:window ${20 + Math.floor(rnd() * 100)}}))\n [${node(3)}]\n [${node(2)}])`;
    sections.push(section);
    size += section.length;
  }
  return `(defsymphony "generated" {:asset-class "EQUITIES"}\n (weight-equal [${sections.join('\n')}]))\n`;
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** CPU time since `start` (user + system): steadier than wall time on a shared machine. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function peakMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The median of some numbers (the middle one, or the mean of the two middle ones). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `--reps N`: timed samples of each mode (default 7; 3 when one pass takes over a second). */
function repsArg(): number | undefined {
  const k = process.argv.indexOf('--reps');
  const n = k < 0 ? Number.NaN : Number(process.argv[k + 1]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Traced vs plain, measured fairly: every pass evaluates the same 250 dates on a fresh session
 * over the same (already loaded, indicator-warm) market; each mode gets the same untimed warm-up;
 * then `reps` timed samples of each (a sample repeats the pass until it lasts about 100 ms, so
 * millisecond passes are not timer noise), alternating which mode goes first; the ratio is of the
 * medians (CPU time per pass), and the spread is the range of the per-sample ratios.
 */
async function bench(name: string, source: string, store: CsvBarStore, calendar: readonly string[]) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const compiled = compile(source, name);
  const planMs = ms(t0);
  const planCpu = cpuMs(c0);
  if (!compiled.ok) throw new Error(`${name}: ${compiled.error[0]?.message}`);
  const strategy: CompiledStrategy = compiled.value;
  const market = await Market.load(barPortFrom(store), strategy.symbols, LAST);

  // One date on a cold session (its indicators computed on first use): the worker's case.
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage();
  const r = new Session(strategy, market).evaluate(LAST);
  const oneMs = ms(t1);
  const oneCpu = cpuMs(c1);

  const end = calendar.indexOf(LAST);
  const dates = calendar.slice(end - 249, end + 1);
  let failures = 0;
  // One sample: `inner` passes over the 250 dates, each on a fresh session (so nothing is memoised
  // from the previous pass); CPU time per pass.
  let inner = 1;
  const plainSample = (): { cpu: number; wall: number } => {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    for (let i = 0; i < inner; i++) {
      const session = new Session(strategy, market);
      let failed = 0;
      for (const d of dates) if (!session.evaluate(d).ok) failed++;
      failures = failed;
    }
    return { cpu: cpuMs(c) / inner, wall: ms(t) / inner };
  };
  const tracedSample = (): number => {
    const c = process.cpuUsage();
    for (let i = 0; i < inner; i++) {
      const session = new Session(strategy, market);
      for (const d of dates) session.explain(d);
    }
    return cpuMs(c) / inner;
  };
  // Warm-up, the same for both modes: two untimed passes each (the second plain one, warm, sizes
  // the samples to at least ~100 ms).
  plainSample();
  tracedSample();
  const warm = plainSample();
  tracedSample();
  inner = Math.max(1, Math.ceil(100 / Math.max(warm.cpu, 0.01)));
  const reps = repsArg() ?? (warm.cpu > 1000 ? 3 : 7);
  const plain: number[] = [];
  const wall: number[] = [];
  const traced: number[] = [];
  for (let k = 0; k < reps; k++) {
    if (k % 2 === 1) traced.push(tracedSample());
    const p = plainSample();
    plain.push(p.cpu);
    wall.push(p.wall);
    if (k % 2 === 0) traced.push(tracedSample());
  }
  const ratios = plain.map((p, k) => (traced[k] as number) / Math.max(p, 1e-3));
  const round2 = (x: number) => Math.round(x * 100) / 100;

  // Building the plain traces from the recordings, once per stored run: reported on its own.
  const building = new Session(strategy, market);
  let traceBytes = 0;
  let buildCpu = 0;
  for (const d of dates) {
    const explained = building.explain(d);
    const c = process.cpuUsage();
    const trace = explained.trace();
    buildCpu += cpuMs(c);
    traceBytes = Math.max(traceBytes, JSON.stringify(trace).length);
  }
  return {
    strategy: name,
    'size KB': Math.round(source.length / 1024),
    'parse→plan ms (cpu)': `${Math.round(planMs)} (${Math.round(planCpu)})`,
    '1 date ms (cpu)': `${round1(oneMs)} (${round1(oneCpu)})`,
    '250 dates ms (cpu)': `${round1(median(wall))} (${round1(median(plain))})`,
    '250 traced cpu ms': round1(median(traced)),
    'traced/plain': round2(median(traced) / Math.max(median(plain), 1e-3)),
    'ratio range': `${round2(Math.min(...ratios))}–${round2(Math.max(...ratios))}`,
    reps,
    'build trace cpu ms': Math.round(buildCpu),
    'max trace KB': round1(traceBytes / 1024),
    'failed dates': failures,
    [`${LAST}`]: r.ok ? `${r.value.length} symbols` : r.error.code,
    'peak RSS MB': Math.round(peakMb()),
  };
}

async function main() {
  if (!existsSync(strategiesDir)) {
    process.stderr.write(
      `bench dsl: ${conformance} not found; the benchmark reads the public conformance cases\n`,
    );
    process.exit(2);
  }
  const store = new CsvBarStore(dataDir);
  const calendar = await store.calendar();
  const k = process.argv.indexOf('--only');
  const only = k < 0 ? undefined : process.argv[k + 1];
  const wanted = (name: string) => only === undefined || name.includes(only);
  const rows = [];
  for (const file of strategyFiles(strategiesDir).sort()) {
    const name = path.relative(strategiesDir, file);
    if (wanted(name)) rows.push(await bench(name, readFileSync(file, 'utf8'), store, calendar));
  }
  if (wanted('generated')) {
    const generated = generatedStrategy(await store.symbols(), 2 * 1024 * 1024);
    const groups = generated.match(/\(group /g)?.length ?? 0;
    const filters = generated.match(/\(filter /g)?.length ?? 0;
    rows.push(await bench(`generated (${groups} groups, ${filters} filters)`, generated, store, calendar));
  }
  console.table(rows);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
