import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';

/**
 * The built `books` executable (scripts/build-cli.mjs) and the lazy command loading of the CLI:
 * `books eval` must not load the AWS SDK, the stack or the lambdas, bundled or from the sources.
 */
const root = path.resolve(__dirname, '../../..');
const run = promisify(execFile);
let dir = '';
let bundle = '';
let recorder = '';

const Metafile = z.object({
  outputs: z.record(
    z.string(),
    z.object({ inputs: z.record(z.string(), z.object({ bytesInOutput: z.number() })) }),
  ),
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'books-built-cli-'));
  mkdirSync(path.join(dir, 'bars'));
  writeFileSync(path.join(dir, 'spy.clj'), '(weight-equal [(asset "SPY")])');
  writeFileSync(
    path.join(dir, 'bars', 'SPY.csv'),
    'date,open,high,low,close,volume\n2024-01-02,1,1,1,99,1\n2024-01-03,1,1,1,101,1\n',
  );
  // Preloaded into a node process: at exit, writes the modules it loaded (require.cache) to $LOADED.
  recorder = path.join(dir, 'record-loaded.cjs');
  writeFileSync(
    recorder,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED, JSON.stringify(Object.keys(require.cache))));\n",
  );
  await run(process.execPath, [path.join(root, 'scripts/build-cli.mjs'), '--out-dir', path.join(dir, 'cli')]);
  bundle = path.join(dir, 'cli', 'books.cjs');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadedBy(
  args: readonly string[],
  name: string,
): Promise<{ stdout: string; loaded: string[] }> {
  const loaded = path.join(dir, `${name}.json`);
  const { stdout } = await run(process.execPath, ['--require', recorder, ...args], {
    env: { ...process.env, LOADED: loaded },
  });
  return { stdout, loaded: z.array(z.string()).parse(JSON.parse(readFileSync(loaded, 'utf8'))) };
}

const evalArgs = () => [
  'eval',
  path.join(dir, 'spy.clj'),
  '--data',
  path.join(dir, 'bars'),
  '--as-of',
  '2024-01-03',
  '--json',
];

describe('the built books executable', () => {
  it('bundles eval and import without the AWS SDK, the stack or the lambdas', () => {
    const meta = Metafile.parse(JSON.parse(readFileSync(path.join(dir, 'cli', 'books.meta.json'), 'utf8')));
    const inputs = Object.values(meta.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([p]) => p),
    );
    expect(inputs).toContain('packages/dsl/src/engine.ts');
    expect(inputs).toContain('packages/market-data/src/csv-bar-store.ts');
    expect(
      inputs.filter((p) =>
        /@aws-sdk|@smithy|packages\/local\/src\/stack\/stack|packages\/(runtime|coordinator|execution|strategy-worker|reconciler)\//.test(
          p,
        ),
      ),
    ).toEqual([]);
  });

  it('evaluates a strategy from the bundle alone, loading no other module', async () => {
    const r = await loadedBy([bundle, ...evalArgs()], 'built-eval');
    expect(JSON.parse(r.stdout)).toEqual({ '2024-01-03': { SPY: 1 } });
    expect(r.loaded.map((p) => path.basename(p))).toEqual(['record-loaded.cjs', 'books.cjs']);
  });

  it('hands the other commands to the sources: its help lists the operator commands', async () => {
    const { stdout } = await run(process.execPath, [bundle, '--help']);
    expect(stdout).toMatch(/^ {2}reconcile\b/m);
    expect(stdout).toMatch(/^ {2}eval\b/m);
  }, 60_000);
});

describe('books from the sources', () => {
  it('loads only the command it runs: eval loads neither the AWS SDK, the stack nor the operator commands', async () => {
    const tsx = require.resolve('tsx', { paths: [root] });
    const main = path.join(root, 'packages/cli/src/main.ts');
    const r = await loadedBy(['--import', tsx, main, ...evalArgs()], 'source-eval');
    expect(JSON.parse(r.stdout)).toEqual({ '2024-01-03': { SPY: 1 } });
    // market-data's and alpaca's indexes load the SDK only at an S3 or SSM request.
    expect(r.loaded.filter((p) => /@aws-sdk|@smithy/.test(p))).toEqual([]);
    const local = r.loaded
      .filter((p) => /packages\/(cli|local|operator|replay)\/src\//.test(p))
      .map((p) => path.relative(root, p));
    expect(local.toSorted()).toEqual(
      [
        'packages/cli/src/commands/author.ts',
        'packages/cli/src/commands/eval.ts',
        'packages/cli/src/commands/index.ts',
        'packages/cli/src/main.ts',
        'packages/cli/src/program.ts',
      ].toSorted(),
    );
  }, 60_000);
});
