import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compile, Session } from '../src';
import { parseCase } from './support/corpus';
import { marketOf } from './support/market';

const dir = path.join(__dirname, 'corpus');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => parseCase(f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(dir, f), 'utf8'))));

describe.each(cases)('corpus $name', ({ name, description, strategy, bars, expect: byDate }) => {
  const compiled = compile(strategy, `${name}.clj`);
  const session = compiled.ok ? new Session(compiled.value, marketOf(bars)) : undefined;

  it.each(Object.entries(byDate))(`${description} (as of %s)`, (date, want) => {
    expect(compiled.ok && compiled.value).toBeTruthy();
    const got = session?.evaluate(date);
    if ('error' in want && typeof want.error === 'string') {
      expect(got?.ok ? got.value : got?.error.code).toBe(want.error);
      return;
    }
    if (!got?.ok) throw new Error(`expected weights, got ${JSON.stringify(got?.error)}`);
    const weights = new Map(got.value.map((w) => [w.symbol as string, w.weight.toNumber()]));
    const expected = Object.entries(want).filter((e): e is [string, number] => typeof e[1] === 'number');
    expect([...weights.keys()].sort()).toEqual(expected.map(([s]) => s).sort());
    for (const [s, w] of expected) expect(weights.get(s)).toBeCloseTo(w, 9);
  });
});
