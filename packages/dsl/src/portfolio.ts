import type { Span } from './ast';
import type { Context } from './context';
import { Failure } from './errors';
import { indicatorAt } from './indicators';
import { addNormalised, Fragment, type Outcome, type Value } from './values';

/** Splices nested lists: the children of a weight-equal. */
function spliceInto(out: Value[], v: Value): void {
  if (Array.isArray(v)) for (const x of v as readonly Value[]) spliceInto(out, x);
  else out.push(v);
}

function notAPortfolio(v: Value, span: Span, form: string): Failure {
  return new Failure(
    'ARGUMENT',
    `${form} got ${typeof v === 'number' ? 'a number' : 'a condition'} where a portfolio belongs`,
    span,
    form,
  );
}

/** weight-equal: each non-empty child gets 1/k of its normalised weights. */
export function weightEqual(
  values: readonly Value[],
  block: number,
  span: Span,
  form = 'weight-equal',
): Outcome<Fragment> {
  const children: (Fragment | string)[] = [];
  let flat: readonly Value[] = values;
  if (values.some((v) => Array.isArray(v))) {
    const spliced: Value[] = [];
    for (const v of values) spliceInto(spliced, v);
    flat = spliced;
  }
  for (const v of flat) {
    if (typeof v === 'string') children.push(v);
    else if (v instanceof Fragment) {
      if (v.total() > 0) children.push(v);
    } else return notAPortfolio(v, span, form);
  }
  if (children.length === 0) {
    return new Failure('EMPTY_PORTFOLIO', `${form} has no non-empty child`, span, form);
  }
  // One already normalised child: its (immutable) weights are the result.
  const only = children[0];
  if (children.length === 1 && only instanceof Fragment && only.total() === 1)
    return new Fragment(only.weights, block);
  const share = 1 / children.length;
  const acc = new Map<string, number>();
  for (const c of children) {
    if (typeof c === 'string') acc.set(c, (acc.get(c) ?? 0) + share);
    else addNormalised(acc, c, share);
  }
  return new Fragment(acc, block);
}

/** unit(X) of weight-specified, scaled by `scale`, added into `acc`. */
function addUnit(acc: Map<string, number>, v: Value, scale: number, span: Span): Failure | undefined {
  let x = v;
  while (Array.isArray(x) && x.length === 1) x = x[0] as Value;
  if (typeof x === 'string') {
    acc.set(x, (acc.get(x) ?? 0) + scale);
    return undefined;
  }
  if (x instanceof Fragment) {
    if (x.total() <= 0)
      return new Failure(
        'EMPTY_PORTFOLIO',
        'weight-specified has an empty operand',
        span,
        'weight-specified',
      );
    addNormalised(acc, x, scale);
    return undefined;
  }
  if (Array.isArray(x)) {
    const items = x as readonly Value[];
    if (items.length === 0)
      return new Failure(
        'EMPTY_PORTFOLIO',
        'weight-specified has an empty operand',
        span,
        'weight-specified',
      );
    for (const item of items) {
      const f = addUnit(acc, item, scale / items.length, span);
      if (f !== undefined) return f;
    }
    return undefined;
  }
  return notAPortfolio(x, span, 'weight-specified');
}

/** weight-specified: Σ wᵢ·unit(Xᵢ), not normalised. */
export function weightSpecified(
  weights: readonly number[],
  operands: readonly Value[],
  block: number,
  span: Span,
): Outcome<Fragment> {
  const acc = new Map<string, number>();
  for (let k = 0; k < operands.length; k++) {
    const f = addUnit(acc, operands[k] as Value, weights[k] as number, span);
    if (f !== undefined) return f;
  }
  return new Fragment(acc, block);
}

/** group: the (unwrapped) value of its last body form as a fragment tagged with the group. */
export function asGroup(v: Value, block: number, span: Span): Outcome<Fragment> {
  let x = v;
  while (Array.isArray(x) && x.length === 1) x = x[0] as Value;
  if (x instanceof Fragment) return new Fragment(x.weights, block);
  if (typeof x === 'string') return new Fragment(new Map([[x, 1]]), block);
  if (Array.isArray(x)) {
    if (x.length === 0) return new Fragment(new Map(), block);
    const f = weightEqual(x as readonly Value[], block, span, 'group');
    return f instanceof Failure && f.code === 'EMPTY_PORTFOLIO' ? new Fragment(new Map(), block) : f;
  }
  return notAPortfolio(x, span, 'group');
}

/** Flattens a value into its symbols in order (asset mode of filter, flat inverse volatility). */
export function symbolsOf(v: Value, out: string[], span: Span, form: string): Failure | undefined {
  if (typeof v === 'string') out.push(v);
  else if (v instanceof Fragment) for (const s of v.weights.keys()) out.push(s);
  else if (Array.isArray(v)) {
    for (const x of v as readonly Value[]) {
      const f = symbolsOf(x, out, span, form);
      if (f !== undefined) return f;
    }
  } else return notAPortfolio(v, span, form);
  return undefined;
}

/** stdev-return W of a symbol as of `day`; undefined when it has too little history. */
function sigma(
  ctx: Context,
  symbol: string,
  window: number,
  day: number,
  span: Span,
): number | undefined | Failure {
  const series = ctx.market.series(symbol);
  const bar = series === undefined || day < 0 ? -1 : (series.barAt[day] as number);
  if (series === undefined || bar < 0) {
    return ctx.fail(
      'NO_DATA',
      `no market data for ${symbol.toUpperCase()} on or before ${ctx.dateOf(day)}`,
      span,
      'weight-inverse-volatility',
      symbol.toUpperCase(),
      day,
    );
  }
  const v = indicatorAt(series, 'stdev-return', window, bar);
  return Number.isNaN(v) ? undefined : v;
}

/** weight-inverse-volatility, flat or grouped (DSL.md). */
export function inverseVolatility(
  ctx: Context,
  window: number,
  operands: readonly Value[],
  block: number,
  day: number,
  span: Span,
): Outcome<Fragment> {
  const grouped = operands.every((o) => {
    let x = o;
    while (Array.isArray(x) && x.length === 1) x = x[0] as Value;
    return (
      x instanceof Fragment ||
      (Array.isArray(x) && (x as readonly Value[]).every((e) => e instanceof Fragment))
    );
  });
  const acc = new Map<string, number>();
  let total = 0;
  if (!grouped) {
    const symbols: string[] = [];
    for (const o of operands) {
      const f = symbolsOf(o, symbols, span, 'weight-inverse-volatility');
      if (f !== undefined) return f;
    }
    for (const s of symbols) {
      const sd = sigma(ctx, s, window, day, span);
      if (sd instanceof Failure) return sd;
      if (sd === undefined || !(sd > 0)) continue;
      acc.set(s, (acc.get(s) ?? 0) + 1 / sd);
      total += 1 / sd;
    }
  } else {
    const groups: Fragment[] = [];
    for (const o of operands) {
      const flat: Value[] = [];
      spliceInto(flat, o);
      for (const g of flat) if (g instanceof Fragment && g.total() > 0) groups.push(g);
    }
    const inverse: number[] = [];
    for (const g of groups) {
      let num = 0;
      let den = 0;
      for (const [s, w] of g.weights) {
        const sd = sigma(ctx, s, window, day, span);
        if (sd instanceof Failure) return sd;
        if (sd === undefined || !(sd > 0)) continue;
        num += w * sd;
        den += w;
      }
      const inv = den > 0 && num > 0 ? den / num : 0;
      inverse.push(inv);
      total += inv;
    }
    if (total > 0) {
      groups.forEach((g, k) => {
        addNormalised(acc, g, (inverse[k] as number) / total);
      });
    }
  }
  if (!(total > 0)) {
    return ctx.fail(
      'INSUFFICIENT_DATA',
      `weight-inverse-volatility: no operand has a usable stdev-return over ${window} days`,
      span,
      'weight-inverse-volatility',
      undefined,
      day,
    );
  }
  if (!grouped) for (const [s, w] of acc) acc.set(s, w / total);
  return new Fragment(acc, block);
}
