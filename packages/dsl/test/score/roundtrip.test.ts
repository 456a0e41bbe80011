import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CloseSeries,
  compile,
  format,
  Market,
  programToScore,
  read,
  Session,
  scoreToEdn,
} from '../../src';
import { readStrategy } from '../../src/source';

/**
 * Every public conformance strategy (third-party data, read in place from ../shared/conformance)
 * goes .clj → score tree (JSON and EDN) → .clj, and each form evaluates exactly like the original
 * on the case's dates over the case's market data.
 */
const root = path.resolve(__dirname, '../../../..');
const conformance = path.resolve(root, '../shared/conformance');
const available = existsSync(path.join(conformance, 'cases/expected.json'));
if (!available) console.warn(`score round trip: skipped, ${conformance} is not present`);

const expected: Record<string, Record<string, unknown>> = available
  ? JSON.parse(readFileSync(path.join(conformance, 'cases/expected.json'), 'utf8'))
  : {};
const cases = Object.entries(expected)
  .filter(([file]) => !file.startsWith('_'))
  .map(([file, byDate]) => ({ file, dates: Object.keys(byDate) }));

/** The conformance market: every CSV's closes; the calendar is every date with a bar. */
const market = (() => {
  if (!available) return undefined;
  const dir = path.join(conformance, 'market-data');
  const series = new Map<string, CloseSeries>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv'))) {
    const dates: string[] = [];
    const closes: number[] = [];
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n').slice(1)) {
      const cells = line.split(',');
      if (cells.length < 5) continue;
      dates.push(cells[0] as string);
      closes.push(Number(cells[4]));
    }
    series.set(f.replace(/\.csv$/, '').replace('.', '/'), { dates, closes });
  }
  return Market.of([], series);
})();

function evaluate(source: string, file: string, dates: readonly string[]) {
  const compiled = compile(source, file);
  if (!compiled.ok) throw new Error(`${file}: ${compiled.error.map((e) => e.message).join('; ')}`);
  const session = new Session(compiled.value, market as Market);
  return dates.map((d) => {
    const r = session.evaluate(d);
    return r.ok ? r.value.map((w) => `${w.symbol}=${w.weight.toString()}`) : `error ${r.error.code}`;
  });
}

(available ? describe.each(cases) : describe.skip.each(cases))(
  'score round trip of $file',
  ({ file, dates }) => {
    const source = readFileSync(path.join(conformance, 'cases/strategies', file), 'utf8');
    const original = evaluate(source, file, dates);
    const program = read(source, file);
    if (!program.ok) throw new Error(program.error.message);
    const tree = programToScore(program.value);
    if (!tree.ok) throw new Error(tree.error.map((e) => `${e.line}:${e.column} ${e.message}`).join('; '));
    const json = JSON.stringify(tree.value, null, 1);
    const edn = scoreToEdn(tree.value);

    it('its JSON score tree evaluates like the .clj', () => {
      expect(original.some((r) => Array.isArray(r))).toBe(true);
      expect(evaluate(json, `${file}.json`, dates)).toEqual(original);
    });

    it('its EDN score tree evaluates like the .clj', () => {
      expect(evaluate(edn, `${file}.edn`, dates)).toEqual(original);
    });

    it('the .clj written back from the tree evaluates like the original and reads back to the same tree', () => {
      const back = readStrategy(json, `${file}.json`);
      if (!back.ok) throw new Error(back.error.map((e) => e.message).join('; '));
      const clj = format(back.value.forms[0] as never);
      expect(evaluate(clj, `${file}.back.clj`, dates)).toEqual(original);
      const again = read(clj, 'back.clj');
      if (!again.ok) throw new Error(again.error.message);
      expect(programToScore(again.value)).toEqual(tree);
    });
  },
);
