import { callName, type ListNode, type Node, type Program } from './ast';
import { type Context, type Evaluator, memoised } from './context';
import { Failure } from './errors';
import { filter, type Metric, type Selector } from './filter';
import { indicatorSeries } from './indicators';
import type { Market, SymbolSeries } from './market';
import {
  INDICATORS,
  type IndicatorName,
  isComparison,
  isIndicator,
  RSI_FILTER_DEFAULT_WINDOW,
} from './operators';
import { windowParam } from './params';
import { asGroup, inverseVolatility, weightEqual, weightSpecified } from './portfolio';
import { print } from './printer';
import { ComparisonSite, type TraceCollector, type TraceDetail } from './trace';
import { Fragment, type Outcome, type Value } from './values';

/** A checked program turned into evaluators, once per file. */
export interface Plan {
  readonly file: string;
  readonly root: Evaluator;
  readonly rootNode: Node;
  /** Upper-case tickers the strategy may read. */
  readonly symbols: ReadonlySet<string>;
  /** Block node id → its (memoised) evaluator, for block-mode filter histories. */
  readonly blocks: ReadonlyMap<number, Evaluator>;
  /** Block node id → how a trace names it as a filter candidate (`group "NAME" @line:col`). */
  readonly blockLabels: ReadonlyMap<number, string>;
}

const BLOCK_FORMS = new Set([
  'group',
  'weight-equal',
  'weight-specified',
  'weight-inverse-volatility',
  'filter',
]);

/** Turns a program that `check` accepted into evaluators. */
export function plan(program: Program): Plan {
  const symbols = new Set<string>();
  const blocks = new Map<number, Evaluator>();
  const blockLabels = new Map<number, string>();
  const candidates = candidateBlocks(program);

  const compileAll = (nodes: readonly Node[]) => nodes.map((n) => compile(n));

  const compile = (node: Node): Evaluator => {
    const ev = compileUncounted(node);
    // Atoms are bounded by the calls that evaluate them: only calls count as steps.
    if (node.kind !== 'list') return ev;
    const span = node.span;
    const counted: Evaluator = (ctx, day) => {
      if (++ctx.steps > ctx.maxSteps) {
        return new Failure('LIMIT', `evaluation needs more than ${ctx.maxSteps} steps`, span);
      }
      return ev(ctx, day);
    };
    const name = callName(node);
    if (name !== undefined && BLOCK_FORMS.has(name)) {
      const final = traced(node, candidates.has(node.id) ? memoised(node.id, counted) : counted);
      blocks.set(node.id, final);
      blockLabels.set(node.id, blockLabel(node, name));
      return final;
    }
    return counted;
  };

  /**
   * Opens a trace frame around a weighting form or group when the evaluation is on the traced
   * path (trace.ts); otherwise costs one property read. Outside memoisation, so that a memoised
   * block is traced too. `if` and `filter` trace themselves (they know their decision).
   */
  const traced = (node: ListNode, ev: Evaluator): Evaluator => {
    const detail = weightDetailOf(node);
    if (detail === undefined) return ev;
    return (ctx, day) => {
      if (ctx.trace === undefined) return ev(ctx, day);
      const collector = ctx.tracing(day);
      if (collector === undefined) return ev(ctx, day);
      collector.open(node.span, detail);
      const v = ev(ctx, day);
      collector.close(v);
      return v;
    };
  };

  const compileUncounted = (node: Node): Evaluator => {
    switch (node.kind) {
      case 'string': {
        const v = node.value;
        return () => v;
      }
      case 'number': {
        const v = node.value;
        return () => v;
      }
      case 'keyword':
      case 'symbol': {
        const v = node.name;
        return () => v;
      }
      case 'map':
        return () => new Failure('ARGUMENT', 'a map is not a value', node.span);
      case 'list': {
        const name = callName(node);
        if (name === undefined) return compileList(node.items);
        return compileCall(node, name);
      }
    }
  };

  const compileList = (items: readonly Node[]): Evaluator => {
    const evs = compileAll(items);
    return (ctx, day) => {
      const out: Value[] = new Array(evs.length);
      for (let k = 0; k < evs.length; k++) {
        const v = (evs[k] as Evaluator)(ctx, day);
        if (v instanceof Failure) return v;
        out[k] = v;
      }
      return out;
    };
  };

  const compileCall = (node: ListNode, name: string): Evaluator => {
    const args = node.items.slice(1);
    const span = node.span;
    if (isIndicator(name)) return compileIndicator(node, name, args);
    if (isComparison(name)) {
      const [a, b] = compileAll(args);
      if (a === undefined || b === undefined) return unplannable(node);
      const compare = COMPARE[name];
      const [leftForm, rightForm] = args.map((n) => print(n));
      const site = new ComparisonSite(name, leftForm ?? '', rightForm ?? '');
      return (ctx, day) => {
        const x = a(ctx, day);
        if (x instanceof Failure) return x;
        const y = b(ctx, day);
        if (y instanceof Failure) return y;
        if (typeof x !== 'number' || typeof y !== 'number')
          return new Failure('ARGUMENT', `${name} compares two numbers`, span, name);
        const result = compare(x, y);
        if (ctx.trace !== undefined) ctx.tracing(day)?.compared(site, x, y, result);
        return result;
      };
    }
    switch (name) {
      case 'defsymphony':
        return compile(args[args.length - 1] as Node);
      case 'asset': {
        const ticker = args[0]?.kind === 'string' ? args[0].value : '';
        const upper = ticker.toUpperCase();
        symbols.add(upper);
        return (ctx, day) => {
          const series = ctx.market.series(upper);
          if (series === undefined || day < 0 || (series.barAt[day] as number) < 0) {
            return ctx.fail(
              'NO_DATA',
              `no market data for ${upper} on or before ${ctx.dateOf(day)}`,
              span,
              name,
              upper,
              day,
            );
          }
          return ticker;
        };
      }
      case 'group': {
        const body = compile(args[args.length - 1] as Node);
        return (ctx, day) => {
          const v = body(ctx, day);
          return v instanceof Failure ? v : asGroup(v, node.id, span);
        };
      }
      case 'weight-equal': {
        const list = compileList(args);
        return (ctx, day) => {
          const v = list(ctx, day);
          return v instanceof Failure ? v : weightEqual(v as readonly Value[], node.id, span);
        };
      }
      case 'weight-specified': {
        const weights = args.filter((_, k) => k % 2 === 0).map((n) => (n.kind === 'number' ? n.value : 0));
        const operands = compileList(args.filter((_, k) => k % 2 === 1));
        return (ctx, day) => {
          const v = operands(ctx, day);
          return v instanceof Failure ? v : weightSpecified(weights, v as readonly Value[], node.id, span);
        };
      }
      case 'weight-inverse-volatility': {
        const w = windowParam(args[0]);
        const window = w?.kind === 'number' ? w.value : 1;
        const operands = compileList(args.slice(1));
        return (ctx, day) => {
          const v = operands(ctx, day);
          return v instanceof Failure
            ? v
            : inverseVolatility(ctx, window, v as readonly Value[], node.id, day, span);
        };
      }
      case 'filter': {
        const metric = metricOf(args[0] as Node);
        const selector = selectorOf(args.length === 3 ? args[1] : undefined);
        const portfolio = compile(args[args.length - 1] as Node);
        if (metric === undefined) return unplannable(node);
        const detail: TraceDetail = {
          kind: 'filter',
          metric: `${metric.name} ${metric.window}${metric.explicitWindow ? '' : ' (window default)'}`,
          select: `${selector.top ? 'top' : 'bottom'}${Number.isFinite(selector.count) ? ` ${selector.count}` : ''}`,
        };
        return (ctx, day) => {
          const collector = ctx.trace === undefined ? undefined : ctx.tracing(day);
          if (collector !== undefined) collector.openFilter(span, detail);
          const v = portfolio(ctx, day);
          const r = v instanceof Failure ? v : filter(ctx, metric, selector, v, node.id, day, span);
          if (collector !== undefined) collector.close(r);
          return r;
        };
      }
      case 'if': {
        const [cond, then, otherwise] = compileAll(args);
        if (cond === undefined || then === undefined) return unplannable(node);
        const decide = (ctx: Context, day: number, collector?: TraceCollector): Outcome => {
          const c = cond(ctx, day);
          if (c instanceof Failure) return c;
          // The condition holds no traced form: its comparison is the last one recorded.
          collector?.decided(
            c === true ? 'then' : c === false && otherwise !== undefined ? 'else' : undefined,
          );
          if (c === true) return then(ctx, day);
          if (c !== false) return new Failure('ARGUMENT', 'if expects a condition', span, 'if');
          if (otherwise === undefined) {
            return ctx.fail(
              'NO_BRANCH',
              'the condition is false and this if has no else branch',
              span,
              'if',
              undefined,
              day,
            );
          }
          return otherwise(ctx, day);
        };
        return (ctx, day) => {
          const collector = ctx.trace === undefined ? undefined : ctx.tracing(day);
          if (collector === undefined) return decide(ctx, day);
          collector.forget();
          collector.openIf(span);
          const v = decide(ctx, day, collector);
          collector.close(v);
          return v;
        };
      }
      default:
        return unplannable(node);
    }
  };

  const compileIndicator = (node: ListNode, name: IndicatorName, args: readonly Node[]): Evaluator => {
    const tickerNode = args[0];
    const ticker = tickerNode?.kind === 'string' ? tickerNode.value.toUpperCase() : '';
    symbols.add(ticker);
    const w = windowParam(args[1]);
    const window = w?.kind === 'number' ? w.value : INDICATORS[name].defaultWindow;
    const span = node.span;
    // Resolved once per market: the symbol's series and this indicator's memoised series.
    let market: Market | undefined;
    let series: SymbolSeries | undefined;
    let values: { at(i: number): number } | undefined;
    return (ctx: Context, day: number) => {
      if (market !== ctx.market) {
        market = ctx.market;
        series = market.series(ticker);
        values = series === undefined ? undefined : indicatorSeries(series, name, window);
      }
      const bar = series === undefined || day < 0 ? -1 : (series.barAt[day] as number);
      if (series === undefined || bar < 0) {
        return ctx.fail(
          'NO_DATA',
          `no market data for ${ticker} on or before ${ctx.dateOf(day)}`,
          span,
          name,
          ticker,
          day,
        );
      }
      const v = values === undefined ? Number.NaN : values.at(bar);
      if (Number.isNaN(v)) {
        return ctx.fail(
          'INSUFFICIENT_DATA',
          `${name} over ${window} days needs more history than the ${bar + 1} bars of ${ticker} up to ${ctx.dateOf(day)}`,
          span,
          name,
          ticker,
          day,
        );
      }
      return v;
    };
  };

  const rootNode = program.forms[0] as Node;
  const root = compile(rootNode);
  return { file: program.file, root, rootNode, symbols, blocks, blockLabels };
}

/** The trace detail of a weighting form or group; undefined for any other form. */
function weightDetailOf(node: ListNode): TraceDetail | undefined {
  const name = callName(node);
  if (name === 'group') {
    const label = node.items[1];
    return { kind: 'group', ...(label?.kind === 'string' ? { name: label.value } : {}) };
  }
  if (name === 'weight-equal' || name === 'weight-specified' || name === 'weight-inverse-volatility')
    return { kind: name };
  return undefined;
}

/** How a block is named among a filter's candidates: `group "NAME" @line:col`, `weight-equal @line:col`. */
function blockLabel(node: ListNode, name: string): string {
  const label = node.items[1];
  const named = name === 'group' && label?.kind === 'string' ? `group ${JSON.stringify(label.value)}` : name;
  return `${named} @${node.span.line}:${node.span.column}`;
}

const COMPARE: Readonly<Record<'>' | '<' | '>=' | '<=', (x: number, y: number) => boolean>> = {
  '>': (x, y) => x > y,
  '<': (x, y) => x < y,
  '>=': (x, y) => x >= y,
  '<=': (x, y) => x <= y,
};

function unplannable(node: Node): Evaluator {
  return () => new Failure('ARGUMENT', 'this form was not accepted by the checker', node.span);
}

function metricOf(node: Node): Metric | undefined {
  const name = callName(node);
  if (node.kind !== 'list' || name === undefined || !isIndicator(name)) return undefined;
  const param = node.items[1];
  const w = windowParam(param);
  if (w?.kind === 'number') return { name, window: w.value, explicitWindow: true };
  const window =
    name === 'rsi' && param === undefined ? RSI_FILTER_DEFAULT_WINDOW : INDICATORS[name].defaultWindow;
  return { name, window, explicitWindow: false };
}

function selectorOf(node: Node | undefined): Selector {
  if (node?.kind !== 'list') return { top: true, count: Number.POSITIVE_INFINITY };
  const n = node.items[1];
  return { top: callName(node) === 'select-top', count: n?.kind === 'number' ? n.value : 0 };
}

/**
 * Block nodes whose value can be a candidate of a block-mode filter: reached from a filter's
 * portfolio through lists and `if` branches. Only these are memoised per (block, day).
 */
function candidateBlocks(program: Program): Set<number> {
  const out = new Set<number>();
  const work: Node[] = [];
  const visitAll: Node[] = [...program.forms];
  while (visitAll.length > 0) {
    const node = visitAll.pop() as Node;
    if (node.kind !== 'list') continue;
    visitAll.push(...node.items);
    const portfolio = node.items[node.items.length - 1];
    if (callName(node) === 'filter' && portfolio !== undefined) work.push(portfolio);
  }
  while (work.length > 0) {
    const node = work.pop() as Node;
    if (node.kind !== 'list') continue;
    const name = callName(node);
    if (name === undefined) work.push(...node.items);
    else if (name === 'if') work.push(...node.items.slice(2));
    else if (BLOCK_FORMS.has(name)) out.add(node.id);
  }
  return out;
}

export { Fragment };
