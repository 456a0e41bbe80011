import { canonical, Decimal } from '@books/core';
import type { KeywordNode, ListNode, MapNode, Node, NumberNode, Program, Span } from '../ast';
import { type DslError, type ErrorCode, Failure, type Result, toDslError } from '../errors';
import { describeIssue } from './issues';
import { type Located, type Path, spanAt } from './locate';
import {
  type FilterNode,
  type IfChild,
  type IfNode,
  type Numberish,
  REBALANCE_FREQUENCIES,
  type RootNode,
  SCORE_COMPARATORS,
  SCORE_FUNCTIONS,
  type ScoreNode,
  ScoreNodeSchema,
  type ScoreWeight,
} from './schema';

/**
 * Composer's score tree → the equivalent `(defsymphony …)` program, node for node as Composer's
 * own `.clj` export writes it, so that both evaluate identically:
 *
 *   root               (defsymphony NAME {:asset-class …, :rebalance-frequency :daily | :rebalance-threshold W} CHILD)
 *   wt-cash-equal      (weight-equal [CHILD…])
 *   wt-cash-specified  (weight-specified num/den CHILD …)   each child's :weight {:num :den}
 *   wt-inverse-vol     (weight-inverse-volatility WINDOW-DAYS [CHILD…])
 *   group              (group NAME [CHILD…])
 *   if / if-child      (if (CMP LHS RHS) [CHILD…] [ELSE-CHILD…]); several conditions nest in the else
 *   filter             (filter (FN {:window W}) (select-top|select-bottom N) [CHILD…])
 *   asset              (asset TICKER NAME)
 *   empty              []   (nothing: dropped by a parent weight-equal)
 *
 * Every node of the program carries the span of the tree node (or field) it comes from, so that a
 * later check or evaluation error names the tree's line and column. Problems are reported together
 * (up to 100) with the code SCORE, or UNKNOWN_OPERATOR for an unknown function or comparator.
 */

const MAX_REPORTED = 100;
const DSL_NUMBER = /^-?\d+(\.\d+)?$/;

export function scoreToProgram(located: Located, file: string): Result<Program, DslError[]> {
  const errors: DslError[] = [];
  const report = (code: ErrorCode, message: string, path: Path) => {
    if (errors.length < MAX_REPORTED)
      errors.push(toDslError(new Failure(code, message, spanAt(located.spans, path)), file));
  };

  const parsed = ScoreNodeSchema.safeParse(located.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      report('SCORE', describeIssue(issue, path, located.value), path);
    }
    return { ok: false, error: errors };
  }
  const root = parsed.data;
  if (root.step !== 'root') {
    report('SCORE', `the top of a score tree is a :root step, not :${root.step}`, []);
    return { ok: false, error: errors };
  }

  let nextId = 0;
  const span = (path: Path): Span => spanAt(located.spans, path);
  const sym = (name: string, path: Path): Node => ({ kind: 'symbol', id: nextId++, span: span(path), name });
  const str = (value: string, path: Path): Node => ({
    kind: 'string',
    id: nextId++,
    span: span(path),
    value,
  });
  const num = (text: string, path: Path): NumberNode => ({
    kind: 'number',
    id: nextId++,
    span: span(path),
    value: Number(text),
    text,
  });
  const kw = (name: string, path: Path): KeywordNode => ({
    kind: 'keyword',
    id: nextId++,
    span: span(path),
    name,
  });
  const vec = (items: Node[], path: Path): ListNode => ({
    kind: 'list',
    id: nextId++,
    span: span(path),
    bracket: 'square',
    items,
  });
  const call = (name: string, path: Path, ...args: Node[]): ListNode => {
    const head = sym(name, path);
    return { kind: 'list', id: nextId++, span: span(path), bracket: 'paren', items: [head, ...args] };
  };
  const map = (entries: [string, Node][], path: Path): MapNode => ({
    kind: 'map',
    id: nextId++,
    span: span(path),
    entries: entries.map(([k, value]) => ({ key: kw(k, path), value })),
  });

  /** A decimal as the language writes it (`-?\d+(\.\d+)?`), or undefined after a report. */
  const decimal = (v: Numberish, what: string, path: Path): string | undefined => {
    const text = typeof v === 'number' ? String(v) : v.trim();
    if (DSL_NUMBER.test(text)) return text;
    try {
      const d = new Decimal(text);
      if (d.isFinite()) return canonical(d);
    } catch {
      // reported below
    }
    report('SCORE', `${what} must be a number, got ${JSON.stringify(v)}`, path);
    return undefined;
  };
  const whole = (v: Numberish, what: string, path: Path, min: number): number | undefined => {
    const text = decimal(v, what, path);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (Number.isInteger(n) && n >= min) return n;
    report('SCORE', `${what} must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`, path);
    return undefined;
  };
  /** The window of a function: `PREFIX-fn-params {:window W}` or `PREFIX-window-days "W"`. */
  const windowOf = (
    params: { readonly window?: Numberish | null | undefined } | null | undefined,
    days: Numberish | null | undefined,
    prefix: string,
    path: Path,
  ): number | undefined | null => {
    const fromParams =
      params?.window == null
        ? undefined
        : whole(params.window, `:${prefix}-fn-params :window`, [...path, `${prefix}-fn-params`, 'window'], 1);
    const fromDays =
      days == null ? undefined : whole(days, `:${prefix}-window-days`, [...path, `${prefix}-window-days`], 1);
    if (fromParams !== undefined && fromDays !== undefined && fromParams !== fromDays) {
      report(
        'SCORE',
        `:${prefix}-fn-params gives the window ${fromParams} but :${prefix}-window-days ${fromDays}`,
        path,
      );
      return null;
    }
    return fromParams ?? fromDays;
  };
  const indicator = (fn: string, path: Path): string | undefined => {
    const name = SCORE_FUNCTIONS[fn];
    if (name === undefined)
      report(
        'UNKNOWN_OPERATOR',
        `unknown function :${fn} (known: ${Object.keys(SCORE_FUNCTIONS).join(', ')})`,
        path,
      );
    return name;
  };
  const windowMap = (window: number, path: Path): MapNode =>
    map([['window', num(String(window), path)]], path);

  const ticker = (raw: string): string => raw.replace(/^EQUITIES::/, '').replace(/\/\/USD$/, '');

  const childrenOf = (node: { readonly children?: readonly ScoreNode[] | null | undefined }, path: Path) =>
    (node.children ?? []).flatMap((c, k) => {
      const n = convert(c, [...path, 'children', k]);
      return n === undefined ? [] : [n];
    });

  const convert = (node: ScoreNode, path: Path): Node | undefined => {
    switch (node.step) {
      case 'root':
        report('SCORE', 'a :root step is only valid at the top of the tree', path);
        return undefined;
      case 'wt-cash-equal':
        return call('weight-equal', path, vec(childrenOf(node, path), path));
      case 'wt-cash-specified': {
        const args: Node[] = [];
        const kids = node.children ?? [];
        if (kids.length === 0) report('SCORE', 'a :wt-cash-specified step needs children', path);
        kids.forEach((c, k) => {
          const at = [...path, 'children', k];
          const w = weightText(c.weight, at);
          const n = convert(c, at);
          if (w !== undefined && n !== undefined) args.push(num(w, [...at, 'weight']), n);
        });
        return call('weight-specified', path, ...args);
      }
      case 'wt-inverse-vol': {
        const w = whole(node['window-days'], ':window-days', [...path, 'window-days'], 1);
        const kids = vec(childrenOf(node, path), path);
        return w === undefined
          ? undefined
          : call('weight-inverse-volatility', path, num(String(w), [...path, 'window-days']), kids);
      }
      case 'group':
        return call(
          'group',
          path,
          str(node.name ?? '', [...path, 'name']),
          vec(childrenOf(node, path), path),
        );
      case 'if':
        return ifForm(node, path);
      case 'filter':
        return filterForm(node, path);
      case 'asset': {
        const args = [str(ticker(node.ticker), [...path, 'ticker'])];
        if (node.name != null) args.push(str(node.name, [...path, 'name']));
        return call('asset', path, ...args);
      }
      case 'empty':
        return vec([], path);
    }
  };

  const weightText = (w: ScoreWeight | null | undefined, path: Path): string | undefined => {
    if (w == null) {
      report('SCORE', 'a child of :wt-cash-specified needs a :weight {:num N :den D}', path);
      return undefined;
    }
    const at = [...path, 'weight'];
    const n = decimal(w.num, ':weight :num', [...at, 'num']);
    const d = decimal(w.den, ':weight :den', [...at, 'den']);
    if (n === undefined || d === undefined) return undefined;
    if (new Decimal(d).lte(0)) {
      report('SCORE', `:weight :den must be positive, got ${JSON.stringify(w.den)}`, [...at, 'den']);
      return undefined;
    }
    return canonical(new Decimal(n).div(d).toDecimalPlaces(20));
  };

  const ifForm = (node: IfNode, path: Path): Node | undefined => {
    const kids = node.children ?? [];
    const conditions: { child: IfChild; at: Path }[] = [];
    let otherwise: { child: IfChild; at: Path } | undefined;
    kids.forEach((child, k) => {
      const at = [...path, 'children', k];
      if (child['is-else-condition?'] !== true) conditions.push({ child, at });
      else if (otherwise !== undefined) report('SCORE', 'an :if step has more than one else branch', at);
      else otherwise = { child, at };
    });
    if (conditions.length === 0) {
      report('SCORE', 'an :if step needs an :if-child with a condition', path);
      return undefined;
    }
    let tail: Node | undefined = otherwise && vec(childrenOf(otherwise.child, otherwise.at), otherwise.at);
    let form: Node | undefined;
    for (let k = conditions.length - 1; k >= 0; k--) {
      const { child, at } = conditions[k] as { child: IfChild; at: Path };
      const condition = conditionForm(child, at);
      const then = vec(childrenOf(child, at), at);
      if (condition === undefined) return undefined;
      form = call('if', k === 0 ? path : at, condition, then, ...(tail === undefined ? [] : [tail]));
      tail = vec([form], at);
    }
    return form;
  };

  const conditionForm = (c: IfChild, path: Path): Node | undefined => {
    if (c.condition != null) {
      report(
        'SCORE',
        'structured :condition blocks are not supported yet: write the condition with :lhs-fn, :comparator and :rhs-val',
        [...path, 'condition'],
      );
      return undefined;
    }
    const lhs = operand(c['lhs-fn'], c['lhs-val'], c['lhs-fn-params'], c['lhs-window-days'], 'lhs', path);
    const comparator = c.comparator == null ? undefined : SCORE_COMPARATORS[c.comparator];
    if (c.comparator == null) report('SCORE', 'an :if-child condition needs a :comparator', path);
    else if (comparator === undefined)
      report(
        'UNKNOWN_OPERATOR',
        `unknown comparator :${c.comparator} (known: ${Object.keys(SCORE_COMPARATORS).join(', ')})`,
        [...path, 'comparator'],
      );
    const fixed = c['rhs-fixed-value?'] ?? c['rhs-fn'] == null;
    let rhs: Node | undefined;
    if (fixed) {
      const v = c['rhs-val'];
      if (v == null) report('SCORE', 'an :if-child with a fixed right-hand side needs :rhs-val', path);
      else {
        const text = decimal(v, ':rhs-val', [...path, 'rhs-val']);
        if (text !== undefined) rhs = num(text, [...path, 'rhs-val']);
      }
    } else {
      const v = c['rhs-val'];
      rhs = operand(
        c['rhs-fn'],
        typeof v === 'number' ? String(v) : v,
        c['rhs-fn-params'],
        c['rhs-window-days'],
        'rhs',
        path,
      );
    }
    if (lhs === undefined || comparator === undefined || rhs === undefined) return undefined;
    return call(comparator, [...path, 'comparator'], lhs, rhs);
  };

  const operand = (
    fn: string | null | undefined,
    val: string | null | undefined,
    params: { readonly window?: Numberish | null | undefined } | null | undefined,
    days: Numberish | null | undefined,
    side: 'lhs' | 'rhs',
    path: Path,
  ): Node | undefined => {
    if (fn == null) {
      report('SCORE', `an :if-child condition needs :${side}-fn`, path);
      return undefined;
    }
    if (val == null) {
      report('SCORE', `an :if-child condition needs :${side}-val (the ticker of :${side}-fn)`, path);
      return undefined;
    }
    const at = [...path, `${side}-fn`];
    const name = indicator(fn, at);
    const window = windowOf(params, days, side, path);
    if (name === undefined || window === null) return undefined;
    const args: Node[] = [str(ticker(val), [...path, `${side}-val`])];
    if (window !== undefined && name !== 'current-price') args.push(windowMap(window, at));
    return call(name, at, ...args);
  };

  const filterForm = (node: FilterNode, path: Path): Node | undefined => {
    const at = [...path, 'sort-by-fn'];
    const name = indicator(node['sort-by-fn'], at);
    const window = windowOf(node['sort-by-fn-params'], node['sort-by-window-days'], 'sort-by', path);
    const metric =
      name === undefined || window === null
        ? undefined
        : window === undefined || name === 'current-price'
          ? call(name, at)
          : call(name, at, windowMap(window, at));
    const args: Node[] = [];
    const select = node['select-fn'];
    if (select != null && node['select?'] !== false) {
      const n = node['select-n'];
      if (select !== 'top' && select !== 'bottom')
        report('SCORE', `:select-fn must be :top or :bottom, got :${select}`, [...path, 'select-fn']);
      else if (n == null) report('SCORE', 'a :filter with :select-fn needs :select-n', path);
      else {
        const count = whole(n, ':select-n', [...path, 'select-n'], 0);
        if (count !== undefined)
          args.push(
            call(`select-${select}`, [...path, 'select-fn'], num(String(count), [...path, 'select-n'])),
          );
      }
    }
    const kids = vec(childrenOf(node, path), path);
    return metric === undefined ? undefined : call('filter', path, metric, ...args, kids);
  };

  const config = (r: RootNode): MapNode => {
    const entries: [string, Node][] = [['asset-class', str(r['asset-class'] ?? 'EQUITIES', [])]];
    const rebalance = r.rebalance;
    const width = r['rebalance-corridor-width'];
    if (rebalance != null && rebalance !== 'none') {
      if ((REBALANCE_FREQUENCIES as readonly string[]).includes(rebalance))
        entries.push(['rebalance-frequency', kw(rebalance, ['rebalance'])]);
      else
        report(
          'SCORE',
          `:rebalance must be one of none, ${REBALANCE_FREQUENCIES.join(', ')}; got :${rebalance}`,
          ['rebalance'],
        );
    }
    if (width != null) {
      const text = decimal(width, ':rebalance-corridor-width', ['rebalance-corridor-width']);
      if (text !== undefined) {
        const w = Number(text);
        if (w > 0 && w <= 1) entries.push(['rebalance-threshold', num(text, ['rebalance-corridor-width'])]);
        else
          report(
            'SCORE',
            `:rebalance-corridor-width is a fraction in (0, 1] (0.05 = 5%), got ${JSON.stringify(width)}`,
            ['rebalance-corridor-width'],
          );
      }
    } else if (rebalance === 'none') {
      entries.push(['rebalance-frequency', kw('none', ['rebalance'])]);
    }
    return map(entries, []);
  };

  const kids = childrenOf(root, []);
  if ((root.children ?? []).length === 0) report('SCORE', 'the :root step needs a child', []);
  const body = kids.length === 1 ? (kids[0] as Node) : call('weight-equal', [], vec(kids, []));
  const form = call('defsymphony', [], str(root.name ?? '', ['name']), config(root), body);
  if (errors.length > 0) return { ok: false, error: errors };
  return { ok: true, value: { file, forms: [form], nodeCount: nextId } };
}
