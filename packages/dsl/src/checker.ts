import { SymbolSchema } from '@books/core';
import { callName, type ListNode, type Node, type Program } from './ast';
import { type DslError, type ErrorCode, Failure, toDslError } from './errors';
import { COMPARISONS, INDICATORS, isComparison, isIndicator, isKnownOperator } from './operators';
import { isPositiveInteger, windowParam } from './params';

/** What a position in the tree expects. */
type Expect = 'portfolio' | 'condition' | 'number' | 'metric' | 'selector';

const MAX_REPORTED = 100;

/** A ticker as the engine will look it up: upper-cased, then a valid core Symbol. */
export function isTicker(text: string): boolean {
  let known = tickers.get(text);
  if (known === undefined) {
    known = SymbolSchema.safeParse(text.toUpperCase()).success;
    if (tickers.size < 100_000) tickers.set(text, known);
  }
  return known;
}
const tickers = new Map<string, boolean>();

/**
 * Checks a read program: known operators, arity, argument kinds. Reports every problem found
 * (up to 100), in source order; an empty array means the program can be planned.
 */
export function check(program: Program): DslError[] {
  const errors: DslError[] = [];
  const report = (code: ErrorCode, message: string, node: Node, form?: string) => {
    if (errors.length < MAX_REPORTED)
      errors.push(toDslError(new Failure(code, message, node.span, form), program.file));
  };

  const [first, ...rest] = program.forms;
  if (first === undefined) {
    report('PARSE', 'the file holds no strategy form', {
      kind: 'symbol',
      id: -1,
      name: '',
      span: { line: 1, column: 1, offset: 0, end: 0 },
    });
    return errors;
  }
  for (const extra of rest) report('PARSE', 'expected one top-level form; this one follows it', extra);

  const args = (node: ListNode) => node.items.slice(1);
  const arity = (node: ListNode, name: string, min: number, max: number): boolean => {
    const count = node.items.length - 1;
    if (count >= min && count <= max) return true;
    const range =
      max === Number.POSITIVE_INFINITY
        ? `at least ${min} argument${min === 1 ? '' : 's'}`
        : min === max
          ? `${min} argument${min === 1 ? '' : 's'}`
          : `${min} to ${max} arguments`;
    report('ARITY', `${name} expects ${range}, got ${count}`, node, name);
    return false;
  };
  const ticker = (node: Node | undefined, form: string, at: Node) => {
    if (node?.kind !== 'string') {
      report('ARGUMENT', `${form} expects a ticker string such as "SPY"`, node ?? at, form);
    } else if (!isTicker(node.value)) {
      report('ARGUMENT', `"${node.value}" is not a ticker (expected e.g. "SPY" or "BRK/B")`, node, form);
    }
  };
  const param = (node: Node | undefined, form: string) => {
    if (node === undefined) return;
    if (node.kind !== 'map' && node.kind !== 'number') {
      report('ARGUMENT', `${form} expects a parameter map such as {:window 10}`, node, form);
      return;
    }
    if (node.kind === 'map')
      for (const entry of node.entries)
        if (entry.key.name !== 'window')
          report(
            'ARGUMENT',
            `${form} has no parameter :${entry.key.name} (its one parameter is :window)`,
            entry.key,
            form,
          );
    const w = windowParam(node);
    if (w !== undefined && !isPositiveInteger(w)) {
      report('ARGUMENT', `${form} :window must be a positive whole number`, w, form);
    }
  };

  // Depth is bounded by the reader's limit, so recursion here is safe.
  const visit = (node: Node, expect: Expect, top: boolean): void => {
    const name = callName(node);
    if (node.kind !== 'list' || name === undefined) {
      visitAtom(node, expect);
      return;
    }
    if (!isKnownOperator(name) && name !== 'defsymphony') {
      report('UNKNOWN_OPERATOR', `unknown operator '${name}'`, node, name);
      return;
    }
    const a = args(node);
    const wrongPlace = (gives: string) =>
      report('ARGUMENT', `${name} gives ${gives}, but ${describe(expect)} is expected here`, node, name);

    if (isIndicator(name)) {
      if (expect === 'metric') {
        if (a[0]?.kind === 'string')
          report('ARGUMENT', `a filter metric takes no ticker: write (${name} {:window N})`, a[0], name);
        else if (arity(node, name, 0, 1)) param(a[0], name);
      } else if (expect === 'number') {
        if (arity(node, name, 1, 2)) {
          ticker(a[0], name, node);
          param(a[1], name);
        }
      } else wrongPlace('a number');
      return;
    }
    if (isComparison(name)) {
      if (expect !== 'condition') wrongPlace('a condition');
      else if (arity(node, name, 2, 2)) for (const x of a) visit(x, 'number', false);
      return;
    }
    if (name === 'select-top' || name === 'select-bottom') {
      if (expect !== 'selector') {
        report('ARGUMENT', `${name} is only valid as the selector of a filter`, node, name);
      } else if (arity(node, name, 1, 1)) {
        const n = a[0];
        if (n?.kind !== 'number' || !Number.isInteger(n.value) || n.value < 0)
          report('ARGUMENT', `${name} expects a whole number of items`, n ?? node, name);
      }
      return;
    }
    if (expect !== 'portfolio') {
      wrongPlace('a portfolio');
      return;
    }
    switch (name) {
      case 'defsymphony': {
        if (!top) {
          report('ARGUMENT', 'defsymphony is only valid as the top-level form', node, name);
          return;
        }
        if (!arity(node, name, 2, 3)) return;
        if (a.length === 3 && a[1]?.kind !== 'map')
          report(
            'ARGUMENT',
            'defsymphony expects a configuration map as its 2nd argument',
            a[1] ?? node,
            name,
          );
        visit(a[a.length - 1] as Node, 'portfolio', false);
        return;
      }
      case 'asset':
        if (arity(node, name, 1, 2)) {
          ticker(a[0], name, node);
          if (a[1] !== undefined && a[1].kind !== 'string' && a[1].kind !== 'symbol')
            report('ARGUMENT', 'asset expects a description string (or nil) as its 2nd argument', a[1], name);
        }
        return;
      case 'group':
        if (arity(node, name, 2, Number.POSITIVE_INFINITY)) {
          if (a[0]?.kind !== 'string')
            report('ARGUMENT', 'group expects a name string first', a[0] ?? node, name);
          for (const x of a.slice(1)) visit(x, 'portfolio', false);
        }
        return;
      case 'weight-equal':
        if (arity(node, name, 1, Number.POSITIVE_INFINITY)) for (const x of a) visit(x, 'portfolio', false);
        return;
      case 'weight-specified':
        if (!arity(node, name, 2, Number.POSITIVE_INFINITY)) return;
        if (a.length % 2 !== 0) {
          report(
            'ARITY',
            'weight-specified expects weight/portfolio pairs (an even number of arguments)',
            node,
            name,
          );
          return;
        }
        a.forEach((x, k) => {
          if (k % 2 === 1) visit(x, 'portfolio', false);
          else if (x.kind !== 'number')
            report('ARGUMENT', 'weight-specified expects a literal weight here', x, name);
        });
        return;
      case 'weight-inverse-volatility':
        if (!arity(node, name, 2, Number.POSITIVE_INFINITY)) return;
        if (!isPositiveInteger(windowParam(a[0])))
          report('ARGUMENT', `${name} expects a window (a positive whole number) first`, a[0] ?? node, name);
        for (const x of a.slice(1)) visit(x, 'portfolio', false);
        return;
      case 'filter':
        if (!arity(node, name, 2, 3)) return;
        visit(a[0] as Node, 'metric', false);
        if (a.length === 3) visit(a[1] as Node, 'selector', false);
        visit(a[a.length - 1] as Node, 'portfolio', false);
        return;
      case 'if':
        if (!arity(node, name, 2, 3)) return;
        visit(a[0] as Node, 'condition', false);
        for (const x of a.slice(1)) visit(x, 'portfolio', false);
        return;
      default:
        report('UNKNOWN_OPERATOR', `unknown operator '${name}'`, node, name);
    }
  };

  const visitAtom = (node: Node, expect: Expect): void => {
    switch (node.kind) {
      case 'list':
        if (expect === 'portfolio') for (const x of node.items) visit(x, 'portfolio', false);
        else report('ARGUMENT', `a list is not ${describe(expect)}`, node);
        return;
      case 'string':
        if (expect !== 'portfolio') report('ARGUMENT', `a string is not ${describe(expect)}`, node);
        else if (!isTicker(node.value))
          report('ARGUMENT', `"${node.value}" is not a ticker (expected e.g. "SPY" or "BRK/B")`, node);
        return;
      case 'number':
        if (expect !== 'number') report('ARGUMENT', `a number is not ${describe(expect)}`, node);
        return;
      case 'map':
        report('ARGUMENT', `a map is not ${describe(expect)}`, node);
        return;
      case 'keyword':
      case 'symbol':
        report(
          'ARGUMENT',
          `'${node.kind === 'keyword' ? ':' : ''}${node.name}' is not ${describe(expect)}${expect === 'portfolio' ? ' (write tickers as "SPY" or (asset "SPY"))' : ''}`,
          node,
        );
        return;
    }
  };

  visit(first, 'portfolio', true);
  return errors;
}

function describe(expect: Expect): string {
  switch (expect) {
    case 'portfolio':
      return 'a portfolio';
    case 'condition':
      return `a condition (${COMPARISONS.join(' ')})`;
    case 'number':
      return 'a number or an indicator such as (rsi "SPY" {:window 10})';
    case 'metric':
      return `a metric such as (rsi {:window 10}) (one of ${Object.keys(INDICATORS).join(', ')})`;
    case 'selector':
      return 'a selector (select-top N) or (select-bottom N)';
  }
}
