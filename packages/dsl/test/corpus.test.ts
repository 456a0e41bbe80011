import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { compile, Session } from '../src';
import { marketOf } from './support/market';

const CaseSchema = z.object({
  description: z.string(),
  strategy: z.string(),
  bars: z.record(z.string(), z.string()),
  expect: z.record(z.string(), z.union([z.object({ error: z.string() }), z.record(z.string(), z.number())])),
});

const dir = path.join(__dirname, 'corpus');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    ...CaseSchema.parse(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))),
  }));

describe.each(cases)('corpus $name', ({ name, description, strategy, bars, expect: byDate }) => {
  const compiled = compile(strategy, `${name}.clj`);
  const session = compiled.ok ? new Session(compiled.value, marketOf(bars)) : undefined;

  it.each(Object.entries(byDate))(`${description} (as of %s)`, (date, want) => {
    expect(compiled.ok && compiled.value).toBeTruthy();
    const got = session?.evaluate(date);
    if ('error' in want) {
      expect(got?.ok ? got.value : got?.error.code).toBe(want.error);
      return;
    }
    if (!got?.ok) throw new Error(`expected weights, got ${JSON.stringify(got?.error)}`);
    const weights = Object.fromEntries(got.value.map((w) => [w.symbol, w.weight.toNumber()]));
    expect(Object.keys(weights).sort()).toEqual(Object.keys(want).sort());
    for (const [s, w] of Object.entries(want)) expect(weights[s]).toBeCloseTo(w, 9);
  });
});
