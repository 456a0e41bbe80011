import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { validation } from './errors';

/**
 * DynamoDB's expression languages (condition, key condition, filter, update, projection) as far
 * as this in-process table serves them: the grammar of the DynamoDB Developer Guide's "Expressions"
 * chapter, minus what no caller here uses (nested list indexes in updates, `attribute_type`,
 * `DELETE` of set elements). Anything outside the subset is a ValidationException naming it,
 * never a silent approximation.
 */

/** A document path: top-level attribute, then map keys (`a.b`) or list indexes (`a[0]`). */
export type Path = readonly (string | number)[];

export type Operand =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'value'; readonly value: AttributeValue }
  | { readonly kind: 'size'; readonly path: Path };

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly inner: Condition }
  | {
      readonly kind: 'compare';
      readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
      readonly left: Operand;
      readonly right: Operand;
    }
  | { readonly kind: 'between'; readonly subject: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly kind: 'in'; readonly subject: Operand; readonly list: readonly Operand[] }
  | { readonly kind: 'exists' | 'not_exists'; readonly path: Path }
  | { readonly kind: 'begins_with' | 'contains'; readonly subject: Operand; readonly operand: Operand };

export type SetValue =
  | { readonly kind: 'operand'; readonly operand: SetOperand }
  | { readonly kind: 'plus' | 'minus'; readonly left: SetOperand; readonly right: SetOperand };
export type SetOperand =
  | Operand
  | { readonly kind: 'if_not_exists'; readonly path: Path; readonly fallback: SetOperand }
  | { readonly kind: 'list_append'; readonly first: SetOperand; readonly second: SetOperand };

export type UpdateAction =
  | { readonly kind: 'set'; readonly path: Path; readonly value: SetValue }
  | { readonly kind: 'remove'; readonly path: Path }
  | { readonly kind: 'add'; readonly path: Path; readonly value: AttributeValue };

export interface Placeholders {
  readonly names?: Readonly<Record<string, string>> | undefined;
  readonly values?: Readonly<Record<string, AttributeValue>> | undefined;
}

type Token =
  | { readonly t: 'word'; readonly text: string }
  | { readonly t: 'name'; readonly text: string }
  | { readonly t: 'value'; readonly text: string }
  | { readonly t: 'number'; readonly text: string }
  | { readonly t: 'punct'; readonly text: string };

/** An expression's tokens, by its text: callers send the same few expressions over and over. */
const tokenized = new Map<string, readonly Token[]>();
const MAX_TOKENIZED = 2048;

function tokensOf(source: string): readonly Token[] {
  const known = tokenized.get(source);
  if (known !== undefined) return known;
  const tokens = tokenize(source);
  if (tokenized.size >= MAX_TOKENIZED) tokenized.clear();
  tokenized.set(source, tokens);
  return tokens;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ t: 'punct', text: two });
      i += 2;
      continue;
    }
    if ('()[],.=<>+-'.includes(c)) {
      tokens.push({ t: 'punct', text: c });
      i++;
      continue;
    }
    const m = /^([#:]?)([A-Za-z0-9_]+)/.exec(source.slice(i));
    if (!m)
      throw validation(`Invalid expression: unexpected ${JSON.stringify(c)} in ${JSON.stringify(source)}`);
    const [whole, sigil, body] = m as unknown as [string, string, string];
    if (sigil === '#') tokens.push({ t: 'name', text: whole });
    else if (sigil === ':') tokens.push({ t: 'value', text: whole });
    else if (/^[0-9]+$/.test(body)) tokens.push({ t: 'number', text: body });
    else tokens.push({ t: 'word', text: body });
    i += whole.length;
  }
  return tokens;
}

/** A recursive-descent reader over one expression, resolving placeholders as it goes. */
class Reader {
  private pos = 0;
  private readonly tokens: readonly Token[];
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly placeholders: Placeholders,
  ) {
    this.tokens = tokensOf(source);
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw validation(`Invalid expression: unexpected end of ${JSON.stringify(this.source)}`);
    return t;
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.t === 'word' && t.text.toUpperCase() === word;
  }

  isPunct(p: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.t === 'punct' && t.text === p;
  }

  expectPunct(p: string): void {
    const t = this.next();
    if (t.t !== 'punct' || t.text !== p)
      throw validation(
        `Invalid expression: expected ${p}, found ${t.text} in ${JSON.stringify(this.source)}`,
      );
  }

  expectWord(word: string): void {
    if (!this.isWord(word))
      throw validation(`Invalid expression: expected ${word} in ${JSON.stringify(this.source)}`);
    this.pos++;
  }

  path(): Path {
    const parts: (string | number)[] = [this.pathElement()];
    for (;;) {
      if (this.isPunct('.')) {
        this.pos++;
        parts.push(this.pathElement());
      } else if (this.isPunct('[')) {
        this.pos++;
        const n = this.next();
        if (n.t !== 'number') throw validation(`Invalid expression: list index expected in ${this.source}`);
        this.expectPunct(']');
        parts.push(Number(n.text));
      } else return parts;
    }
  }

  private pathElement(): string {
    const t = this.next();
    if (t.t === 'name') {
      const name = this.placeholders.names?.[t.text];
      if (name === undefined)
        throw validation(
          `Value provided in ExpressionAttributeNames unused or undefined: An expression attribute name used in the document path is not defined; attribute name: ${t.text}`,
        );
      this.usedNames.add(t.text);
      return name;
    }
    if (t.t === 'word') {
      if (RESERVED.has(t.text.toUpperCase()))
        throw validation(
          `Invalid expression: Attribute name is a reserved keyword; reserved keyword: ${t.text}`,
        );
      return t.text;
    }
    throw validation(`Invalid expression: attribute path expected, found ${t.text} in ${this.source}`);
  }

  value(): AttributeValue {
    const t = this.next();
    if (t.t !== 'value') throw validation(`Invalid expression: value placeholder expected in ${this.source}`);
    const v = this.placeholders.values?.[t.text];
    if (v === undefined)
      throw validation(
        `Invalid expression: An expression attribute value used in expression is not defined; attribute value: ${t.text}`,
      );
    this.usedValues.add(t.text);
    return v;
  }

  operand(): Operand {
    const t = this.peek();
    if (t?.t === 'value') return { kind: 'value', value: this.value() };
    if (t?.t === 'word' && t.text.toLowerCase() === 'size' && this.isPunct('(', 1)) {
      this.pos += 2;
      const path = this.path();
      this.expectPunct(')');
      return { kind: 'size', path };
    }
    return { kind: 'path', path: this.path() };
  }

  fail(what: string): never {
    throw validation(`Invalid expression: ${what} in ${JSON.stringify(this.source)}`);
  }
}

/** Unused placeholders are an error in DynamoDB; so are they here (checked over all of a request's expressions). */
export function checkPlaceholdersUsed(placeholders: Placeholders, readers: readonly Reader[]): void {
  if (placeholders.names)
    for (const n of Object.keys(placeholders.names))
      if (!readers.some((r) => r.usedNames.has(n)))
        throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${n}}`);
  if (placeholders.values)
    for (const v of Object.keys(placeholders.values))
      if (!readers.some((r) => r.usedValues.has(v)))
        throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${v}}`);
}

export interface Parsed<T> {
  readonly ast: T;
  readonly reader: Reader;
}

export function parseCondition(source: string, placeholders: Placeholders): Parsed<Condition> {
  const r = new Reader(source, placeholders);
  const ast = orCondition(r);
  if (!r.atEnd()) r.fail(`unexpected ${r.peek()?.text}`);
  return { ast, reader: r };
}

function orCondition(r: Reader): Condition {
  let left = andCondition(r);
  while (r.isWord('OR')) {
    r.next();
    left = { kind: 'or', left, right: andCondition(r) };
  }
  return left;
}

function andCondition(r: Reader): Condition {
  let left = notCondition(r);
  while (r.isWord('AND')) {
    r.next();
    left = { kind: 'and', left, right: notCondition(r) };
  }
  return left;
}

function notCondition(r: Reader): Condition {
  if (r.isWord('NOT')) {
    r.next();
    return { kind: 'not', inner: notCondition(r) };
  }
  return primaryCondition(r);
}

const FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'begins_with', 'contains']);

function primaryCondition(r: Reader): Condition {
  if (r.isPunct('(')) {
    r.next();
    const inner = orCondition(r);
    r.expectPunct(')');
    return inner;
  }
  const t = r.peek();
  if (t?.t === 'word' && r.isPunct('(', 1) && t.text.toLowerCase() !== 'size') {
    const fn = t.text;
    if (!FUNCTIONS.has(fn)) r.fail(`unsupported function ${fn}`);
    r.next();
    r.next();
    let out: Condition;
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
      out = { kind: fn === 'attribute_exists' ? 'exists' : 'not_exists', path: r.path() };
    } else {
      const subject = r.operand();
      r.expectPunct(',');
      out = { kind: fn === 'begins_with' ? 'begins_with' : 'contains', subject, operand: r.operand() };
    }
    r.expectPunct(')');
    return out;
  }
  const subject = r.operand();
  if (r.isWord('BETWEEN')) {
    r.next();
    const low = r.operand();
    r.expectWord('AND');
    return { kind: 'between', subject, low, high: r.operand() };
  }
  if (r.isWord('IN')) {
    r.next();
    r.expectPunct('(');
    const list = [r.operand()];
    while (r.isPunct(',')) {
      r.next();
      list.push(r.operand());
    }
    r.expectPunct(')');
    return { kind: 'in', subject, list };
  }
  const op = r.next();
  if (op.t !== 'punct' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text))
    r.fail(`comparator expected, found ${op.text}`);
  return {
    kind: 'compare',
    op: op.text as '=' | '<>' | '<' | '<=' | '>' | '>=',
    left: subject,
    right: r.operand(),
  };
}

export function parseUpdate(source: string, placeholders: Placeholders): Parsed<UpdateAction[]> {
  const r = new Reader(source, placeholders);
  const actions: UpdateAction[] = [];
  const seen = new Set<string>();
  while (!r.atEnd()) {
    const clause = r.next();
    const keyword = clause.t === 'word' ? clause.text.toUpperCase() : '';
    if (seen.has(keyword)) r.fail(`The ${keyword} section can only be used once`);
    seen.add(keyword);
    const more = () => {
      if (r.isPunct(',')) {
        r.next();
        return true;
      }
      return false;
    };
    if (keyword === 'SET') {
      do actions.push({ kind: 'set', ...setAction(r) });
      while (more());
    } else if (keyword === 'REMOVE') {
      do actions.push({ kind: 'remove', path: r.path() });
      while (more());
    } else if (keyword === 'ADD') {
      do actions.push({ kind: 'add', path: r.path(), value: r.value() });
      while (more());
    } else r.fail(`unsupported update clause ${clause.text}`);
  }
  if (actions.length === 0) r.fail('empty update');
  return { ast: actions, reader: r };
}

function setAction(r: Reader): { path: Path; value: SetValue } {
  const path = r.path();
  r.expectPunct('=');
  const left = setOperand(r);
  if (r.isPunct('+') || r.isPunct('-')) {
    const op = r.next().text === '+' ? 'plus' : 'minus';
    return { path, value: { kind: op, left, right: setOperand(r) } };
  }
  return { path, value: { kind: 'operand', operand: left } };
}

function setOperand(r: Reader): SetOperand {
  const t = r.peek();
  if (t?.t === 'word' && r.isPunct('(', 1)) {
    const fn = t.text;
    r.next();
    r.next();
    let out: SetOperand;
    if (fn === 'if_not_exists') {
      const path = r.path();
      r.expectPunct(',');
      out = { kind: 'if_not_exists', path, fallback: setOperand(r) };
    } else if (fn === 'list_append') {
      const first = setOperand(r);
      r.expectPunct(',');
      out = { kind: 'list_append', first, second: setOperand(r) };
    } else r.fail(`unsupported function ${fn} in SET`);
    r.expectPunct(')');
    return out;
  }
  return r.operand();
}

export function parseProjection(source: string, placeholders: Placeholders): Parsed<Path[]> {
  const r = new Reader(source, placeholders);
  const paths = [r.path()];
  while (r.isPunct(',')) {
    r.next();
    paths.push(r.path());
  }
  if (!r.atEnd()) r.fail(`unexpected ${r.peek()?.text}`);
  return { ast: paths, reader: r };
}

// The reserved words the callers here could plausibly use as bare names; DynamoDB reserves ~570.
const RESERVED = new Set([
  'ADD',
  'AND',
  'BETWEEN',
  'BY',
  'COUNT',
  'DATA',
  'DATE',
  'DELETE',
  'FROM',
  'IN',
  'KEY',
  'NAME',
  'NOT',
  'OR',
  'OWNER',
  'REMOVE',
  'SET',
  'SIZE',
  'STATE',
  'STATUS',
  'TIMESTAMP',
  'TO',
  'TYPE',
  'UPDATE',
  'USER',
  'VALUE',
]);
