import { callName, type ListNode, type Node, type Program } from '../ast';
import { type DslError, Failure, type Result, toDslError } from '../errors';
import { windowParam } from '../params';
import { KEYWORD_FIELDS } from './schema';
import { SCORE_COMPARATORS, SCORE_FUNCTIONS } from './to-program';

/**
 * A checked `(defsymphony …)` program → Composer's score tree (plain JSON-able data), the inverse
 * of `scoreToProgram`: converting back gives a program that evaluates identically. Forms a score
 * tree cannot express exactly are refused with SCORE (naming their line:column) rather than
 * approximated: a filter or group whose portfolio is not a vector, a bare ticker string, a
 * multi-element vector as a weight-specified operand, a nested plain vector among children.
 */
export type ScoreTree = { readonly [key: string]: ScoreValue };
export type ScoreValue = string | number | boolean | null | readonly ScoreValue[] | ScoreTree;

const TO_SCORE_FUNCTION = Object.fromEntries(Object.entries(SCORE_FUNCTIONS).map(([k, v]) => [v, k]));
const TO_SCORE_COMPARATOR = Object.fromEntries(Object.entries(SCORE_COMPARATORS).map(([k, v]) => [v, k]));

export function programToScore(program: Program): Result<ScoreTree, DslError[]> {
  const refuse = (message: string, node: Node): never => {
    throw new Failure('SCORE', message, node.span);
  };
  const args = (n: ListNode) => n.items.slice(1);
  /** Children from a vector (a `[]` is an :empty step); a single non-vector form is one child. */
  const childrenOf = (n: Node, vectorOnly: string | undefined): ScoreTree[] => {
    if (n.kind === 'list' && callName(n) === undefined) {
      if (n.items.length === 0) return [{ step: 'empty' }];
      return n.items.map((x) => {
        if (x.kind === 'list' && callName(x) === undefined && x.items.length > 0)
          return refuse('a vector nested in a vector has no score form', x);
        return convert(x);
      });
    }
    if (vectorOnly !== undefined) return refuse(vectorOnly, n);
    return [convert(n)];
  };
  const windowOf = (param: Node | undefined): string | undefined => {
    const w = windowParam(param);
    return w?.kind === 'number' ? w.text : undefined;
  };
  const indicator = (n: Node, side: 'lhs' | 'rhs'): Record<string, ScoreValue> => {
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
  const weightOf = (n: Node): ScoreTree => {
    if (n.kind !== 'number') return refuse('expected a literal weight', n);
    const [whole, fraction = ''] = n.text.replace(/^-/, '').split('.');
    const places = Math.max(2, fraction.length);
    const digits = `${whole}${fraction.padEnd(places, '0')}`.replace(/^0+(?=\d)/, '');
    const num = Number(digits) * (n.text.startsWith('-') ? -1 : 1);
    if (!Number.isSafeInteger(num)) return refuse('this weight has too many digits for a score', n);
    return { num, den: 10 ** places };
  };

  const convert = (n: Node): ScoreTree => {
    const name = callName(n);
    if (n.kind === 'list' && name === undefined && n.items.length === 0) return { step: 'empty' };
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
      case 'weight-equal':
        return { step: 'wt-cash-equal', children: a.flatMap((x) => childrenOf(x, undefined)) };
      case 'weight-specified': {
        const children: ScoreTree[] = [];
        for (let k = 0; k + 1 < a.length; k += 2) {
          const operand = a[k + 1] as Node;
          const single =
            operand.kind === 'list' && callName(operand) === undefined && operand.items.length === 1
              ? (operand.items[0] as Node)
              : operand;
          if (single.kind === 'list' && callName(single) === undefined && single.items.length > 0)
            return refuse('a weight-specified operand of several forms has no score form', operand);
          children.push({ ...convert(single), weight: weightOf(a[k] as Node) });
        }
        return { step: 'wt-cash-specified', children };
      }
      case 'weight-inverse-volatility': {
        const window = windowOf(a[0]);
        if (window === undefined) return refuse('expected a window', n);
        return {
          step: 'wt-inverse-vol',
          'window-days': window,
          children: a.slice(1).flatMap((x) => childrenOf(x, undefined)),
        };
      }
      case 'group': {
        const title = a[0];
        return {
          step: 'group',
          name: title?.kind === 'string' ? title.value : '',
          children: childrenOf(
            a[a.length - 1] as Node,
            'a group body that is not a vector has no score form',
          ),
        };
      }
      case 'filter': {
        const metric = a[0] as Node;
        const metricName = callName(metric);
        const fn = metricName === undefined ? undefined : TO_SCORE_FUNCTION[metricName];
        if (metric.kind !== 'list' || fn === undefined) return refuse('expected a filter metric', metric);
        const window = windowOf(metric.items[1]);
        const selector = a.length === 3 ? (a[1] as Node) : undefined;
        const count = selector?.kind === 'list' ? selector.items[1] : undefined;
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
          children: childrenOf(
            a[a.length - 1] as Node,
            "a filter's portfolio that is not a vector has no score form",
          ),
        };
      }
      case 'if': {
        const [condition, then, otherwise] = a as [Node, Node, Node | undefined];
        const cmp = callName(condition);
        const comparator = cmp === undefined ? undefined : TO_SCORE_COMPARATOR[cmp];
        if (condition.kind !== 'list' || comparator === undefined)
          return refuse('expected a comparison', condition);
        const [lhs, rhs] = condition.items.slice(1) as [Node, Node];
        const right: Record<string, ScoreValue> =
          rhs.kind === 'number'
            ? { 'rhs-fixed-value?': true, 'rhs-val': rhs.text }
            : { 'rhs-fixed-value?': false, ...indicator(rhs, 'rhs') };
        const branches: ScoreTree[] = [
          {
            step: 'if-child',
            'is-else-condition?': false,
            ...indicator(lhs, 'lhs'),
            comparator,
            ...right,
            children: childrenOf(then, undefined),
          },
        ];
        if (otherwise !== undefined)
          branches.push({
            step: 'if-child',
            'is-else-condition?': true,
            children: childrenOf(otherwise, undefined),
          });
        return { step: 'if', children: branches };
      }
      default:
        return refuse(`${name} has no score form here`, n);
    }
  };

  try {
    const top = program.forms[0];
    if (top === undefined || callName(top) !== 'defsymphony' || top.kind !== 'list')
      return refuse('a score is made from a (defsymphony NAME {CONFIG} BODY) form', top ?? NO_NODE);
    const a = args(top);
    const title = a[0];
    const config = a.length === 3 ? a[1] : undefined;
    const root: Record<string, ScoreValue> = {
      step: 'root',
      name: title?.kind === 'string' ? title.value : '',
    };
    if (config?.kind === 'map') {
      for (const { key, value } of config.entries) {
        if (key.name === 'asset-class' && value.kind === 'string') root['asset-class'] = value.value;
        else if (key.name === 'rebalance-frequency' && value.kind === 'keyword') root.rebalance = value.name;
        else if (key.name === 'rebalance-threshold' && value.kind === 'number') {
          root.rebalance = 'none';
          root['rebalance-corridor-width'] = value.text;
        } else return refuse(`:${key.name} has no score form`, key);
      }
    }
    root.children = [convert(a[a.length - 1] as Node)];
    return { ok: true, value: root };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: [toDslError(e, program.file)] };
    throw e;
  }
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
