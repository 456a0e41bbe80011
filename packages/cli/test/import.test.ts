import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile, print, read } from '@books/dsl';
import { type ImportArgs, runImport } from '../src/commands/import';

let dir = '';
const EDN = `{:id "x", :step :root, :name "Rotator", :rebalance :daily,
 :children [{:step :wt-cash-equal, :children [{:step :if, :children [
   {:step :if-child, :is-else-condition? false, :lhs-fn :relative-strength-index, :lhs-window-days "10",
    :lhs-val "SPY", :comparator :gt, :rhs-fixed-value? true, :rhs-val "79",
    :children [{:step :asset, :ticker "UVXY", :name "ProShares Ultra VIX Short-Term Futures ETF"}]}
   {:step :if-child, :is-else-condition? true,
    :children [{:step :wt-cash-specified, :children [
      {:step :asset, :ticker "BIL", :weight {:num 60, :den 100}}
      {:step :asset, :ticker "TLT", :weight {:num 40, :den 100}}]}]}]}]}]}`;
const CLJ = `(defsymphony
 "Rotator"
 {:asset-class "EQUITIES", :rebalance-frequency :daily}
 (weight-equal
  [(if
    (> (rsi "SPY" {:window 10}) 79)
    [(asset "UVXY" "ProShares Ultra VIX Short-Term Futures ETF")]
    [(weight-specified 0.6 (asset "BIL") 0.4 (asset "TLT"))])]))
`;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'books-import-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: Partial<ImportArgs> & { file: string }) {
  let out = '';
  let err = '';
  const code = await runImport({ force: false, ...args }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('books import', () => {
  it('writes the equivalent .clj beside an EDN score, formatted', async () => {
    const file = path.join(dir, 'rotator.edn');
    writeFileSync(file, EDN);
    const r = await run({ file });
    expect(r).toEqual({ code: 0, out: `${path.join(dir, 'rotator.clj')}\n`, err: '' });
    const written = readFileSync(path.join(dir, 'rotator.clj'), 'utf8');
    expect(written).toBe(CLJ);
    expect(compile(written, 'rotator.clj').ok).toBe(true);
  });

  it('writes the same .clj for the JSON form of the tree, to --out or standard output', async () => {
    const file = path.join(dir, 'rotator.json');
    const tree = JSON.stringify({
      id: 'x',
      step: 'root',
      name: 'Rotator',
      rebalance: 'daily',
      children: [
        {
          step: 'wt-cash-equal',
          children: [
            {
              step: 'if',
              children: [
                {
                  step: 'if-child',
                  'is-else-condition?': false,
                  'lhs-fn': 'relative-strength-index',
                  'lhs-fn-params': { window: 10 },
                  'lhs-val': 'SPY',
                  comparator: 'gt',
                  'rhs-fixed-value?': true,
                  'rhs-val': '79',
                  children: [
                    { step: 'asset', ticker: 'UVXY', name: 'ProShares Ultra VIX Short-Term Futures ETF' },
                  ],
                },
                {
                  step: 'if-child',
                  'is-else-condition?': true,
                  children: [
                    {
                      step: 'wt-cash-specified',
                      children: [
                        { step: 'asset', ticker: 'BIL', weight: { num: 60, den: 100 } },
                        { step: 'asset', ticker: 'TLT', weight: { num: 40, den: 100 } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    writeFileSync(file, tree);
    expect(await run({ file, out: '-' })).toEqual({ code: 0, out: CLJ, err: '' });
    const out = path.join(dir, 'elsewhere.clj');
    expect((await run({ file, out })).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(CLJ);
  });

  it('the written .clj reads back to the form the score converts to', async () => {
    const file = path.join(dir, 'rotator.edn');
    writeFileSync(file, EDN);
    const r = await run({ file, out: '-' });
    const back = read(r.out, 'back.clj');
    const flat = read(CLJ, 'clj');
    expect(back.ok && flat.ok && print(back.value.forms[0] as never)).toBe(
      flat.ok ? print(flat.value.forms[0] as never) : 'unreadable',
    );
  });

  it('reports score errors with their line:column and writes nothing', async () => {
    const file = path.join(dir, 'bad.edn');
    writeFileSync(file, '{:step :root,\n :children [{:step :asset, :ticker "NOT A TICKER"}]}');
    const r = await run({ file });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `${file}:2:36: ARGUMENT "NOT A TICKER" is not a ticker (expected e.g. "SPY" or "BRK/B")\n`,
    );
    expect(existsSync(path.join(dir, 'bad.clj'))).toBe(false);
  });

  it('refuses a .clj input, an output that exists without --force, and an unreadable file', async () => {
    const clj = path.join(dir, 's.clj');
    writeFileSync(clj, CLJ);
    expect((await run({ file: clj })).code).toBe(2);
    const file = path.join(dir, 's.edn');
    writeFileSync(file, EDN);
    writeFileSync(path.join(dir, 's.clj'), 'keep me');
    const refused = await run({ file });
    expect(refused.code).toBe(2);
    expect(readFileSync(clj, 'utf8')).toBe('keep me');
    expect((await run({ file, force: true })).code).toBe(0);
    expect(readFileSync(clj, 'utf8')).toBe(CLJ);
    expect((await run({ file: path.join(dir, 'missing.edn') })).code).toBe(1);
  });
});
