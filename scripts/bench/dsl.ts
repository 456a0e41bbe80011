/**
 * `pnpm bench dsl`: parse → check → plan time, evaluation time for one date and for 250
 * consecutive dates, and peak memory, for each public conformance strategy and a generated
 * 2 MB strategy with hundreds of nested group filters; the same 250 dates traced
 * (`Session.explain`), the ratio traced/plain (goal ≤ 1.2), the time to build the plain traces
 * from the recordings (paid once per stored run, not per evaluation) and the largest trace's size.
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

async function bench(name: string, source: string, store: CsvBarStore, calendar: readonly string[]) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const compiled = compile(source, name);
  const planMs = ms(t0);
  const planCpu = cpuMs(c0);
  if (!compiled.ok) throw new Error(`${name}: ${compiled.error[0]?.message}`);
  const freshSession = async (s: CompiledStrategy) =>
    new Session(s, await Market.load(barPortFrom(store), s.symbols, LAST));

  const one = await freshSession(compiled.value);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage();
  const r = one.evaluate(LAST);
  const oneMs = ms(t1);
  const oneCpu = cpuMs(c1);

  const replay = await freshSession(compiled.value);
  const end = calendar.indexOf(LAST);
  const dates = calendar.slice(end - 249, end + 1);
  let failures = 0;
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage();
  for (const d of dates) if (!replay.evaluate(d).ok) failures++;
  const replayMs = ms(t2);
  const replayCpu = cpuMs(c2);

  // The same 250 dates with the decision trace (Session.explain) on a fresh session.
  const traced = await freshSession(compiled.value);
  let traceBytes = 0;
  let tracedCpu = 0;
  let buildCpu = 0;
  for (const d of dates) {
    const c3 = process.cpuUsage();
    const explained = traced.explain(d);
    tracedCpu += cpuMs(c3);
    // Building the plain trace from the recording, once per stored run: reported on its own.
    const c4 = process.cpuUsage();
    const trace = explained.trace();
    buildCpu += cpuMs(c4);
    traceBytes = Math.max(traceBytes, JSON.stringify(trace).length);
  }
  return {
    strategy: name,
    'size KB': Math.round(source.length / 1024),
    'parse→plan ms (cpu)': `${Math.round(planMs)} (${Math.round(planCpu)})`,
    '1 date ms (cpu)': `${round1(oneMs)} (${round1(oneCpu)})`,
    '250 dates ms (cpu)': `${Math.round(replayMs)} (${Math.round(replayCpu)})`,
    '250 traced cpu ms': Math.round(tracedCpu),
    'traced/plain': Math.round((tracedCpu / replayCpu) * 100) / 100,
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
  const rows = [];
  for (const file of strategyFiles(strategiesDir).sort()) {
    rows.push(await bench(path.relative(strategiesDir, file), readFileSync(file, 'utf8'), store, calendar));
  }
  const generated = generatedStrategy(await store.symbols(), 2 * 1024 * 1024);
  const groups = generated.match(/\(group /g)?.length ?? 0;
  const filters = generated.match(/\(filter /g)?.length ?? 0;
  rows.push(await bench(`generated (${groups} groups, ${filters} filters)`, generated, store, calendar));
  console.table(rows);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
