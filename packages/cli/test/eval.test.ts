import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type EvalArgs, runEval } from '../src/commands/eval';

const root = path.resolve(__dirname, '../../..');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'books-eval-'));
  const bars = path.join(dir, 'bars');
  const header = 'date,open,high,low,close,volume';
  writeFileSync(
    path.join(dir, 'ok.clj'),
    '(weight-equal [(asset "SPY") (if (> (current-price "SPY") 100) (asset "QQQ") (asset "BRK/B"))])',
  );
  writeFileSync(path.join(dir, 'broken.clj'), '(weight-equal\n  [(asset "SPY")');
  writeFileSync(path.join(dir, 'unknown.clj'), '(weight-equal [(frobnicate "SPY")])');
  mkdirSync(bars);
  writeFileSync(path.join(bars, 'SPY.csv'), `${header}\n2024-01-02,1,1,1,99,1\n2024-01-03,1,1,1,101,1\n`);
  writeFileSync(path.join(bars, 'QQQ.csv'), `${header}\n2024-01-03,1,1,1,50,1\n`);
  writeFileSync(path.join(bars, 'BRK.B.csv'), `${header}\n2024-01-02,1,1,1,400,1\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: Partial<EvalArgs>) {
  let out = '';
  let err = '';
  const code = await runEval(
    {
      strategy: path.join(dir, 'ok.clj'),
      data: path.join(dir, 'bars'),
      asOf: '2024-01-02',
      json: true,
      ...args,
    },
    { out: (t) => (out += t), err: (t) => (err += t) },
  );
  return { code, out, err };
}

describe('books eval', () => {
  it('--explain prints the decision tree of each date with the if condition and the branch taken', async () => {
    const r = await run({ asOf: '2024-01-03', json: false, explain: true });
    expect(r.code).toBe(0);
    expect(r.out).toContain('weight-equal  ');
    expect(r.out).toMatch(/ok\.clj:1:1\n/);
    expect(r.out).toMatch(/ {2}if {2}.*ok\.clj:1:30\n {4}\(current-price "SPY"\) = 101 > 100 → true: then\n/);
    expect(r.out).toContain('targets: QQQ 0.5, SPY 0.5');
  });

  it('prints one JSON object of weights per date, and exits 0', async () => {
    const r = await run({ asOf: '2024-01-02,2024-01-03' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      '2024-01-02': { 'BRK/B': 0.5, SPY: 0.5 },
      '2024-01-03': { QQQ: 0.5, SPY: 0.5 },
    });
  });

  it('reports a failing date as an error with its position and still exits 0', async () => {
    const r = await run({ asOf: '2024-01-01,2024-01-02' });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc['2024-01-01'].error).toMatch(
      /ok\.clj:1:16: NO_DATA no market data for SPY on or before 2024-01-01$/,
    );
    expect(doc['2024-01-02']).toEqual({ 'BRK/B': 0.5, SPY: 0.5 });
  });

  it('prints a readable table per date without --json', async () => {
    const r = await run({ asOf: '2024-01-01,2024-01-03', json: false });
    expect(r.code).toBe(0);
    expect(r.out).toContain('2024-01-03\n  symbol  weight\n  QQQ     0.5\n  SPY     0.5\n');
    expect(r.out).toMatch(/2024-01-01\n {2}error: .*ok\.clj:1:16: NO_DATA/);
  });

  it('exits 1 with the position of a parse error', async () => {
    const r = await run({ strategy: path.join(dir, 'broken.clj') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.clj:2:3: PARSE '\[' opened here is never closed/);
  });

  it('exits 1 listing check errors', async () => {
    const r = await run({ strategy: path.join(dir, 'unknown.clj') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown\.clj:1:16: UNKNOWN_OPERATOR unknown operator 'frobnicate'/);
  });

  it('exits 1 for an unreadable strategy file', async () => {
    const r = await run({ strategy: path.join(dir, 'missing.clj') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read .*missing\.clj/);
  });

  it('exits 1 for an unreadable bars directory', async () => {
    const r = await run({ data: path.join(dir, 'nope') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read bars from/);
  });

  it('exits 2 for a malformed date', async () => {
    const r = await run({ asOf: '2024-01-02,tomorrow' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/"tomorrow" is not a date/);
  });

  it('exits non-zero from the command line when --as-of is missing', async () => {
    const tsx = path.join(root, 'node_modules/.bin/tsx');
    const main = path.join(root, 'packages/cli/src/main.ts');
    const error = await promisify(execFile)(tsx, [
      main,
      'eval',
      path.join(dir, 'ok.clj'),
      '--data',
      dir,
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/required option '--as-of <dates>'/),
    });
  });
});
