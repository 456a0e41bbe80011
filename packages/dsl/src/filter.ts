import type { Span } from './ast';
import type { Context } from './context';
import { Failure } from './errors';
import { HISTORY_FORMULAS, indicatorAt } from './indicators';
import type { IndicatorName } from './operators';
import { symbolsOf } from './portfolio';
import { type Ranked, rank } from './ranking';
import { Fragment, type Outcome, type Value } from './values';

export interface Metric {
  readonly name: IndicatorName;
  readonly window: number;
  /** Whether the metric map names a `:window` (block history needs one). */
  readonly explicitWindow: boolean;
}

export interface Selector {
  readonly top: boolean;
  /** How many to keep; Infinity without a selector. */
  readonly count: number;
}

type Scored = Ranked<string | Fragment>;

/** METRIC on a symbol as of `day`: a number, undefined for too little history, or NO_DATA. */
function metricOf(
  ctx: Context,
  metric: Metric,
  symbol: string,
  day: number,
  span: Span,
): number | undefined | Failure {
  const series = ctx.market.series(symbol);
  const bar = series === undefined || day < 0 ? -1 : (series.barAt[day] as number);
  if (series === undefined || bar < 0) {
    const upper = symbol.toUpperCase();
    return ctx.fail(
      'NO_DATA',
      `no market data for ${upper} on or before ${ctx.dateOf(day)}`,
      span,
      'filter',
      upper,
      day,
    );
  }
  const v = indicatorAt(series, metric.name, metric.window, bar);
  return Number.isNaN(v) ? undefined : v;
}

function select(scored: Scored[], selector: Selector): Scored[] {
  return rank(scored, selector.top, selector.count);
}

/** True when `v` is evaluated in block mode (DSL.md "filter"). */
function isBlockMode(v: Value): v is readonly Value[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  let anyFragment = false;
  for (const e of v as readonly Value[]) {
    let x = e;
    while (Array.isArray(x) && x.length === 1) x = x[0] as Value;
    if (x instanceof Fragment) anyFragment = true;
    else if (typeof x !== 'string') return false;
  }
  return anyFragment;
}

/** filter: ranks the candidates of `v` by `metric` as of `day` and keeps the selected ones. */
export function filter(
  ctx: Context,
  metric: Metric,
  selector: Selector,
  v: Value,
  block: number,
  day: number,
  span: Span,
): Outcome<Fragment> {
  const scored: Scored[] = [];
  const collector = ctx.trace === undefined ? undefined : ctx.tracing(day);
  // Only on the traced path: the candidates that could not be scored, and each block's basis.
  const unscored: (string | Fragment)[] | undefined = collector === undefined ? undefined : [];
  if (isBlockMode(v)) {
    const bases: ('history' | 'holdings')[] | undefined = collector === undefined ? undefined : [];
    for (const e of v) {
      let x = e;
      while (Array.isArray(x) && x.length === 1) x = x[0] as Value;
      if (typeof x === 'string') {
        const m = metricOf(ctx, metric, x, day, span);
        if (m instanceof Failure) return m;
        if (m === undefined) unscored?.push(x);
        else {
          scored.push({ score: m, key: x, item: x });
          bases?.push('holdings');
        }
      } else if (x instanceof Fragment && !x.isEmpty) {
        // A block's score: from its own re-evaluated history when there are w returns, else
        // the holdings-weighted metric of today's symbols; undefined when nothing can be scored.
        let m = historyScore(ctx, metric, x.block, day);
        let basis: 'history' | 'holdings' = 'history';
        if (m === undefined) {
          m = holdingsScore(ctx, metric, x, day, span);
          basis = 'holdings';
        }
        if (m instanceof Failure) return m;
        if (m === undefined) unscored?.push(x);
        else {
          scored.push({ score: m, key: x.smallestSymbol(), item: x });
          bases?.push(basis);
        }
      }
    }
    const kept = select(scored, selector);
    collector?.ranked(true, scored, selector.top, kept.length, unscored ?? [], bases);
    const acc = new Map<string, number>();
    const share = 1 / kept.length;
    for (const k of kept) {
      if (typeof k.item === 'string') acc.set(k.item, (acc.get(k.item) ?? 0) + share);
      else {
        const total = k.item.total();
        if (total !== 0)
          for (const [s, w] of k.item.weights) acc.set(s, (acc.get(s) ?? 0) + (share * w) / total);
      }
    }
    return new Fragment(acc, block);
  }

  const symbols: string[] = [];
  const f = symbolsOf(v, symbols, span, 'filter');
  if (f !== undefined) return f;
  const seen = new Set<string>();
  for (const s of symbols) {
    if (seen.has(s)) continue;
    seen.add(s);
    const m = metricOf(ctx, metric, s, day, span);
    if (m instanceof Failure) return m;
    if (m !== undefined) scored.push({ score: m, key: s, item: s });
    else unscored?.push(s);
  }
  const kept = select(scored, selector);
  collector?.ranked(false, scored, selector.top, kept.length, unscored ?? [], undefined);
  return new Fragment(new Map(kept.map((k) => [k.item as string, 1 / kept.length])), block);
}

/** The holdings-weighted metric of a block's symbols today; undefined when none can be scored. */
function holdingsScore(
  ctx: Context,
  metric: Metric,
  today: Fragment,
  day: number,
  span: Span,
): number | undefined | Failure {
  let num = 0;
  let den = 0;
  for (const [s, w] of today.weights) {
    const m = metricOf(ctx, metric, s, day, span);
    if (m instanceof Failure) return m;
    if (m === undefined) continue;
    num += w * m;
    den += w;
  }
  return den === 0 ? undefined : num / den;
}

/** Σ P(s)·r_s(t_j) / Σ P(s) over held symbols with a return on day j; NaN when none has one. */
function positionReturn(ctx: Context, held: Fragment, j: number): number {
  let num = 0;
  let den = 0;
  for (const [sym, weight] of held.weights) {
    const series = ctx.market.series(sym);
    if (series === undefined) continue;
    const bar = series.barAt[j] as number;
    if (bar < 1) continue;
    num += weight * series.returnAt(bar);
    den += weight;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** The history formula applied to the block's w daily returns; undefined → per-symbol fallback. */
function historyScore(
  ctx: Context,
  metric: Metric,
  block: number,
  day: number,
): number | undefined | Failure {
  const formula = HISTORY_FORMULAS[metric.name];
  const w = metric.window;
  if (formula === undefined || !metric.explicitWindow || w < 3 || block < 0 || day - w < 0) return undefined;
  const returns: number[] = [];
  const memo = ctx.memoOf(block);
  const cache = memo.returns;
  let held: Fragment | undefined;
  let heldDay = -1;
  for (let j = day - w; j <= day; j++) {
    // Memoised days cost no evaluation steps; charge the walk itself so the budget bounds it.
    ctx.steps += 1;
    let s = memo.values.get(j);
    if (s === undefined) {
      // A history is never traced: with no collector its forms pay one property read each.
      const trace = ctx.trace;
      ctx.trace = undefined;
      ctx.historyDepth++;
      s = ctx.blockAt(block, j);
      ctx.historyDepth--;
      ctx.trace = trace;
    }
    if (s instanceof Failure) return s.code === 'LIMIT' ? s : undefined;
    if (!(s instanceof Fragment)) return undefined;
    if (held === undefined) {
      if (s.isEmpty) return undefined;
      held = s;
      heldDay = j;
      continue;
    }
    // The return of the position held since the previous day depends on (block, day) only.
    const cacheable = heldDay === j - 1;
    let r = cacheable ? cache.get(j) : undefined;
    if (r === undefined) {
      r = positionReturn(ctx, held, j);
      ctx.steps += held.weights.size;
      if (cacheable) cache.set(j, r);
    }
    if (Number.isNaN(r)) return undefined;
    returns.push(r);
    if (!s.isEmpty) {
      held = s;
      heldDay = j;
    }
  }
  return formula(returns, w);
}
