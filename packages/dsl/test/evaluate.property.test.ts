import { Weight } from '@books/core';
import fc from 'fast-check';
import { compile, Session } from '../src';
import { dayDate, marketOf } from './support/market';

const SYMBOLS = ['A', 'B', 'C', 'D', 'E'];
const INDICATORS = [
  'rsi',
  'cumulative-return',
  'moving-average-return',
  'stdev-return',
  'max-drawdown',
  'moving-average-price',
  'current-price',
  'exponential-moving-average-price',
  'stdev-price',
];

/** Random walks of 60 days; E starts late (day 20) and skips every 7th day. */
function bars(seed: number): Record<string, string> {
  let x = seed || 1;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const out: Record<string, string> = {};
  for (const s of SYMBOLS) {
    let p = 100;
    const tokens: string[] = [];
    for (let d = 0; d < 60; d++) {
      p *= 1 + (next() - 0.5) / 10;
      tokens.push(s === 'E' && (d < 20 || d % 7 === 0) ? '-' : p.toFixed(4));
    }
    out[s] = tokens.join(' ');
  }
  return out;
}

const symbol = fc.constantFrom(...SYMBOLS);
const windowArb = fc.integer({ min: 1, max: 12 });
const indicator = fc
  .tuple(fc.constantFrom(...INDICATORS), symbol, windowArb)
  .map(([i, s, w]) => `(${i} "${s}" {:window ${w}})`);
const condition = fc
  .tuple(
    fc.constantFrom('>', '<', '>=', '<='),
    indicator,
    fc.oneof(indicator, fc.integer({ min: 0, max: 100 }).map(String)),
  )
  .map(([op, a, b]) => `(${op} ${a} ${b})`);

const portfolio: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    symbol.map((s) => `(asset "${s}")`),
    fc.array(tie('p'), { minLength: 1, maxLength: 3 }).map((xs) => `(weight-equal [${xs.join(' ')}])`),
    fc
      .array(fc.tuple(fc.integer({ min: 1, max: 9 }), tie('p')), { minLength: 1, maxLength: 3 })
      .map((xs) => `(weight-specified ${xs.map(([w, p]) => `0.${w} ${p}`).join(' ')})`),
    tie('p').map((p) => `(group "g" [${p}])`),
    fc.tuple(condition, tie('p'), tie('p')).map(([c, a, b]) => `(if ${c} ${a} ${b})`),
    fc
      .tuple(
        fc.constantFrom(...INDICATORS),
        fc.option(windowArb, { nil: undefined }),
        fc.constantFrom('select-top', 'select-bottom'),
        fc.integer({ min: 1, max: 3 }),
        fc.array(tie('p'), { minLength: 1, maxLength: 3 }),
      )
      .map(
        ([i, w, sel, n, xs]) =>
          `(filter (${i}${w === undefined ? '' : ` {:window ${w}}`}) (${sel} ${n}) [${xs.join(' ')}])`,
      ),
    fc
      .tuple(windowArb, fc.array(tie('p'), { minLength: 1, maxLength: 3 }))
      .map(([w, xs]) => `(weight-inverse-volatility ${w} [${xs.join(' ')}])`),
  ),
})).p;

const property = fc.tuple(portfolio, fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 59 }));

describe('evaluation', () => {
  it('gives positive weights that sum exactly to 1, or an error', () => {
    fc.assert(
      fc.property(property, ([source, seed, day]) => {
        const c = compile(source, 'p.clj');
        if (!c.ok) throw new Error(c.error.map((e) => e.message).join('; '));
        const r = new Session(c.value, marketOf(bars(seed))).evaluate(dayDate(day));
        if (!r.ok) return;
        expect(r.value.length).toBeGreaterThan(0);
        for (const w of r.value) expect(w.weight.isPositive()).toBe(true);
        expect(Weight.sum(r.value.map((w) => w.weight)).toString()).toBe('1');
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result for a date evaluated twice, alone or after other dates', () => {
    fc.assert(
      fc.property(property, ([source, seed, day]) => {
        const c = compile(source, 'p.clj');
        if (!c.ok) throw new Error('does not compile');
        const market = marketOf(bars(seed));
        const alone = new Session(c.value, market).evaluate(dayDate(day));
        const warmed = new Session(c.value, market);
        for (let d = 59; d >= 0; d -= 3) warmed.evaluate(dayDate(d));
        const again = warmed.evaluate(dayDate(day));
        expect(JSON.stringify(again)).toBe(JSON.stringify(alone));
        expect(JSON.stringify(warmed.evaluate(dayDate(day)))).toBe(JSON.stringify(alone));
      }),
      { numRuns: 200 },
    );
  });
});
