import { Decimal, Symbol, Weight } from '@books/core';
import type { Span } from './ast';
import { Failure } from './errors';
import { weightEqual } from './portfolio';
import { Fragment, type Outcome, type Value } from './values';

export interface SymbolWeight {
  readonly symbol: Symbol;
  readonly weight: Weight;
}

/** Decimal places kept before the rounding residue goes to the largest weight. */
const PLACES = 12;

/**
 * The top level (DSL.md): the strategy's value as weights > 0 summing exactly to 1, sorted by
 * symbol. Symbols are upper-cased; a duplicate after upper-casing, or a weight outside [0, 1]
 * once normalised, fails. Zero weights are dropped.
 */
export function finalWeights(v: Value, span: Span): Outcome<SymbolWeight[]> {
  let fragment: Fragment;
  if (v instanceof Fragment) fragment = v;
  else if (typeof v === 'string') fragment = new Fragment(new Map([[v, 1]]), -1);
  else if (Array.isArray(v)) {
    const f = weightEqual(v as readonly Value[], -1, span, 'the strategy');
    if (f instanceof Failure) return f;
    fragment = f;
  } else
    return new Failure(
      'INVALID_WEIGHTS',
      'the strategy gives a number or a condition, not a portfolio',
      span,
    );

  const upper = new Map<string, number>();
  let total = 0;
  for (const [s, w] of fragment.weights) {
    const u = s.toUpperCase();
    if (upper.has(u))
      return new Failure('INVALID_WEIGHTS', `${u} appears twice after upper-casing`, span, undefined, u);
    upper.set(u, w);
    total += w;
  }
  if (upper.size === 0) return new Failure('EMPTY_PORTFOLIO', 'the strategy holds nothing', span);
  if (!Number.isFinite(total) || total === 0) {
    return new Failure('INVALID_WEIGHTS', `the weights sum to ${total} and cannot be normalised`, span);
  }
  for (const [u, w] of upper) {
    const share = w / total;
    if (!(share >= 0 && share <= 1)) {
      return new Failure(
        'INVALID_WEIGHTS',
        `${u} has the normalised weight ${share}, outside [0, 1]`,
        span,
        undefined,
        u,
      );
    }
  }

  const rounded: { symbol: string; value: Decimal }[] = [];
  for (const [s, w] of upper) {
    const d = new Decimal((w / total).toFixed(PLACES));
    if (d.gt(0)) rounded.push({ symbol: s, value: d });
  }
  if (rounded.length === 0) return new Failure('EMPTY_PORTFOLIO', 'the strategy holds nothing', span);
  rounded.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  let largest = 0;
  let sum = new Decimal(0);
  rounded.forEach((r, k) => {
    sum = sum.plus(r.value);
    if (r.value.gt((rounded[largest] as (typeof rounded)[number]).value)) largest = k;
  });
  const top = rounded[largest] as (typeof rounded)[number];
  top.value = top.value.plus(new Decimal(1).minus(sum));

  const out: SymbolWeight[] = [];
  for (const r of rounded) {
    try {
      out.push({ symbol: Symbol(r.symbol), weight: Weight.of(r.value) });
    } catch {
      return new Failure('INVALID_WEIGHTS', `"${r.symbol}" is not a valid ticker`, span, undefined, r.symbol);
    }
  }
  return out;
}
