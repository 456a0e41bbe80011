import { callName, type ListNode, type Node, type Program } from '../ast';
import { type DslError, Failure, type Result, toDslError } from '../errors';
import { windowParam } from '../params';
import { KEYWORD_FIELDS, SCORE_COMPARATORS, SCORE_FUNCTIONS } from './schema';

/**
 * A checked `(defsymphony …)` program → Composer's score tree (plain JSON-able data), the inverse
 * of `scoreToProgram`: converting back gives a program that evaluates identically. Forms a score
 * tree cannot express exactly are refused with SCORE (naming their line:column) rather than
 * approximated: a filter or group whose portfolio is not a vector, a bare ticker string, a
 * multi-element vector as a weight-specified operand, a nested plain vector among children.
 * A strategy without `defsymphony` becomes a root with an empty name.
 */
export type ScoreTree = { readonly [key: string]: ScoreValue };
export type ScoreValue = string | number | boolean | null | readonly ScoreValue[] | ScoreTree;

const TO_SCORE_FUNCTION = Object.fromEntries(Object.entries(SCORE_FUNCTIONS).map(([k, v]) => [v, k]));
const TO_SCORE_COMPARATOR = Object.fromEntries(Object.entries(SCORE_COMPARATORS).map(([k, v]) => [v, k]));

export function programToScore(program: Program): Result<ScoreTree, DslError[]> {
  const refuse = (message: string, node: Node) => new Failure('SCORE', message, node.span);
  const args = (n: ListNode) => n.items.slice(1);
  const isVector = (n: Node): n is ListNode => n.kind === 'list' && callName(n) === undefined;

  /** Children from a vector (a `[]` is an :empty step); a single non-vector form is one child. */
  const childrenOf = (n: Node, vectorOnly: string | undefined): ScoreTree[] | Failure => {
    if (!isVector(n)) {
      if (vectorOnly !== undefined) return refuse(vectorOnly, n);
      const one = convert(n);
      return one instanceof Failure ? one : [one];
    }
    if (n.items.length === 0) return [{ step: 'empty' }];
    const out: ScoreTree[] = [];
    for (const x of n.items) {
      if (isVector(x) && x.items.length > 0)
        return refuse('a vector nested in a vector has no score form', x);
      const c = convert(x);
      if (c instanceof Failure) return c;
      out.push(c);
    }
    return out;
  };
  const allChildren = (nodes: readonly Node[]): ScoreTree[] | Failure => {
    const out: ScoreTree[] = [];
    for (const x of nodes) {
      const c = childrenOf(x, undefined);
      if (c instanceof Failure) return c;
      out.push(...c);
    }
    return out;
  };
  const windowOf = (param: Node | undefined): string | undefined => {
    const w = windowParam(param);
    return w?.kind === 'number' ? w.text : undefined;
  };
  const indicator = (n: Node, side: 'lhs' | 'rhs'): Record<string, ScoreValue> | Failure => {
    const name = callName(n);
    const fn = name === undefined ? undefined : TO_SCORE_FUNCTION[name];
    if (n.kind !== 'list' || fn === undefined) return refuse('expected an indicator such as (rsi "SPY")', n);
    const ticker = n.items[1];
    if (ticker?.kind !== 'string') return refuse('expected a ticker string', n);
    const window = windowOf(n.items[2]);
    return {
      [`${side}-fn`]: fn,
      [`${side}-val`]: ticker.value,
      ...(window === undefined ? {} : { [`${side}-fn-params`]: { window: Number(window) } }),
    };
  };
  const weightOf = (n: Node): ScoreTree | Failure => {
    if (n.kind !== 'number') return refuse('expected a literal weight', n);
    const [whole, fraction = ''] = n.text.replace(/^-/, '').split('.');
    const places = Math.max(2, fraction.length);
    const digits = `${whole}${fraction.padEnd(places, '0')}`.replace(/^0+(?=\d)/, '');
    const num = Number(digits) * (n.text.startsWith('-') ? -1 : 1);
    if (!Number.isSafeInteger(num)) return refuse('this weight has too many digits for a score', n);
    return { num, den: 10 ** places };
  };

  const convert = (n: Node): ScoreTree | Failure => {
    const name = callName(n);
    if (isVector(n) && n.items.length === 0) return { step: 'empty' };
    if (n.kind !== 'list' || name === undefined)
      return refuse('only calls such as (asset "SPY") and [] have a score form here', n);
    const a = args(n);
    switch (name) {
      case 'asset': {
        const [ticker, description] = a;
        if (ticker?.kind !== 'string') return refuse('expected a ticker string', n);
        return {
          step: 'asset',
          ticker: ticker.value,
          ...(description?.kind === 'string' ? { name: description.value } : {}),
        };
      }
      case 'weight-equal': {
        const children = allChildren(a);
        return children instanceof Failure ? children : { step: 'wt-cash-equal', children };
      }
      case 'weight-specified': {
        const children: ScoreTree[] = [];
        for (let k = 0; k + 1 < a.length; k += 2) {
          const operand = a[k + 1] as Node;
          const single =
            isVector(operand) && operand.items.length === 1 ? (operand.items[0] as Node) : operand;
          if (isVector(single) && single.items.length > 0)
            return refuse('a weight-specified operand of several forms has no score form', operand);
          const child = convert(single);
          if (child instanceof Failure) return child;
          const weight = weightOf(a[k] as Node);
          if (weight instanceof Failure) return weight;
          children.push({ ...child, weight });
        }
        return { step: 'wt-cash-specified', children };
      }
      case 'weight-inverse-volatility': {
        const window = windowOf(a[0]);
        if (window === undefined) return refuse('expected a window', n);
        const children = allChildren(a.slice(1));
        return children instanceof Failure
          ? children
          : { step: 'wt-inverse-vol', 'window-days': window, children };
      }
      case 'group': {
        const title = a[0];
        const children = childrenOf(
          a[a.length - 1] as Node,
          'a group body that is not a vector has no score form',
        );
        if (children instanceof Failure) return children;
        return { step: 'group', name: title?.kind === 'string' ? title.value : '', children };
      }
      case 'filter': {
        const metric = a[0] as Node;
        const metricName = callName(metric);
        const fn = metricName === undefined ? undefined : TO_SCORE_FUNCTION[metricName];
        if (metric.kind !== 'list' || fn === undefined) return refuse('expected a filter metric', metric);
        const window = windowOf(metric.items[1]);
        const selector = a.length === 3 ? (a[1] as Node) : undefined;
        const count = selector?.kind === 'list' ? selector.items[1] : undefined;
        const children = childrenOf(
          a[a.length - 1] as Node,
          "a filter's portfolio that is not a vector has no score form",
        );
        if (children instanceof Failure) return children;
        return {
          step: 'filter',
          'sort-by-fn': fn,
          ...(window === undefined ? {} : { 'sort-by-window-days': window }),
          ...(selector === undefined || count?.kind !== 'number'
            ? {}
            : {
                'select-fn': callName(selector) === 'select-top' ? 'top' : 'bottom',
                'select-n': count.text,
              }),
          children,
        };
      }
      case 'if': {
        const [condition, then, otherwise] = a as [Node, Node, Node | undefined];
        const cmp = callName(condition);
        const comparator = cmp === undefined ? undefined : TO_SCORE_COMPARATOR[cmp];
        if (condition.kind !== 'list' || comparator === undefined)
          return refuse('expected a comparison', condition);
        const [lhs, rhs] = condition.items.slice(1) as [Node, Node];
        const left = indicator(lhs, 'lhs');
        if (left instanceof Failure) return left;
        const rightFn = rhs.kind === 'number' ? undefined : indicator(rhs, 'rhs');
        if (rightFn instanceof Failure) return rightFn;
        const right: Record<string, ScoreValue> =
          rhs.kind === 'number'
            ? { 'rhs-fixed-value?': true, 'rhs-val': rhs.text }
            : { 'rhs-fixed-value?': false, ...rightFn };
        const thenChildren = childrenOf(then, undefined);
        if (thenChildren instanceof Failure) return thenChildren;
        const branches: ScoreTree[] = [
          {
            step: 'if-child',
            'is-else-condition?': false,
            ...left,
            comparator,
            ...right,
            children: thenChildren,
          },
        ];
        if (otherwise !== undefined) {
          const elseChildren = childrenOf(otherwise, undefined);
          if (elseChildren instanceof Failure) return elseChildren;
          branches.push({ step: 'if-child', 'is-else-condition?': true, children: elseChildren });
        }
        return { step: 'if', children: branches };
      }
      default:
        return refuse(`${name} has no score form here`, n);
    }
  };

  const fail = (f: Failure) => ({ ok: false as const, error: [toDslError(f, program.file)] });
  const top = program.forms[0];
  if (top === undefined) return fail(refuse('the file holds no strategy form', NO_NODE));
  const root: Record<string, ScoreValue> = { step: 'root', name: '' };
  let body: Node = top;
  if (top.kind === 'list' && callName(top) === 'defsymphony') {
    const a = args(top);
    const title = a[0];
    if (title?.kind === 'string') root.name = title.value;
    const config = a.length === 3 ? a[1] : undefined;
    if (config?.kind === 'map') {
      for (const { key, value } of config.entries) {
        if (key.name === 'asset-class' && value.kind === 'string') root['asset-class'] = value.value;
        else if (key.name === 'rebalance-frequency' && value.kind === 'keyword') root.rebalance = value.name;
        else if (key.name === 'rebalance-threshold' && value.kind === 'number') {
          root.rebalance = 'none';
          root['rebalance-corridor-width'] = value.text;
        } else return fail(refuse(`:${key.name} has no score form`, key));
      }
    }
    body = a[a.length - 1] as Node;
  }
  const child = convert(body);
  if (child instanceof Failure) return fail(child);
  root.children = [child];
  return { ok: true, value: root };
}

const NO_NODE: Node = { kind: 'symbol', id: -1, name: '', span: { line: 1, column: 1, offset: 0, end: 0 } };

/** A score tree as EDN, in the spelling of Composer's exports (`{:step :root, …}`). */
export function scoreToEdn(tree: ScoreValue): string {
  const value = (v: ScoreValue, key?: string): string => {
    if (v === null) return 'nil';
    if (typeof v === 'string')
      return key !== undefined && KEYWORD_FIELDS.has(key) ? `:${v}` : JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `[${v.map((x) => value(x)).join(' ')}]`;
    const entries = Object.entries(v as ScoreTree).map(([k, x]) => `:${k} ${value(x, k)}`);
    return `{${entries.join(', ')}}`;
  };
  return value(tree);
}
