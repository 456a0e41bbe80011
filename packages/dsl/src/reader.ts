import type { KeywordNode, MapEntry, Node, Program, Span } from './ast';
import { type DslError, Failure, type Result, toDslError } from './errors';
import { DEFAULT_LIMITS, type Limits } from './limits';

const NUMBER = /^-?\d+(\.\d+)?$/;
/** EDN numbers (Composer's score trees): a sign, an exponent, a BigInt `N` or BigDecimal `M` suffix. */
const EDN_NUMBER = /^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?[MN]?$/;
const STARTS_NUMBER = /^-?\d/;
const EDN_STARTS_NUMBER = /^[-+]?\d/;
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;
const SEMICOLON = 59;
/** By char code below 128: whitespace and delimiters end a symbol, keyword or number. */
const ENDS_TOKEN: readonly boolean[] = Array.from({ length: 128 }, (_, c) =>
  ' \n\t\r()[]{}";,'.includes(String.fromCharCode(c)),
);
/** Whitespace and commas, by char code. */
const BLANK: readonly boolean[] = Array.from({ length: 128 }, (_, c) =>
  ' \t\r,'.includes(String.fromCharCode(c)),
);
const OPEN: Readonly<Record<number, '(' | '[' | '{'>> = { 40: '(', 91: '[', 123: '{' };
const CLOSE: Readonly<Record<number, ')' | ']' | '}'>> = { 41: ')', 93: ']', 125: '}' };
const CLOSER: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

export interface ReadOptions {
  /**
   * Read EDN data rather than the strategy language: numbers may carry a sign, an exponent or an
   * `N`/`M` suffix, and strings the escapes `\r`, `\b`, `\f` and `\uXXXX`. For score trees.
   */
  readonly edn?: boolean;
}

interface Frame {
  readonly open: '(' | '[' | '{';
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly items: Node[];
}

/**
 * Reads source text into forms with spans. Iterative (an explicit stack), so nesting depth is
 * bounded by `limits.maxDepth`, never by the JS stack.
 */
export function read(
  source: string,
  file: string,
  limits: Limits = DEFAULT_LIMITS,
  options: ReadOptions = {},
): Result<Program, DslError> {
  const edn = options.edn === true;
  const numberPattern = edn ? EDN_NUMBER : NUMBER;
  const startsNumber = edn ? EDN_STARTS_NUMBER : STARTS_NUMBER;
  const fail = (message: string, span: Span, code: 'PARSE' | 'LIMIT' = 'PARSE') =>
    ({ ok: false, error: toDslError(new Failure(code, message, span), file) }) as const;
  if (source.length > limits.maxSourceChars) {
    return fail(
      `the file has ${source.length} characters, more than the limit of ${limits.maxSourceChars}`,
      { line: 1, column: 1, offset: 0, end: 0 },
      'LIMIT',
    );
  }
  let nextId = 0;
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = source.length;
  const top: Node[] = [];
  const stack: Frame[] = [];
  let items = top;
  const here = (offset: number): Span => ({ line, column: offset - lineStart + 1, offset, end: offset });

  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === NEWLINE) {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (BLANK[c]) {
      i++;
      continue;
    }
    if (c === SEMICOLON) {
      while (i < n && source.charCodeAt(i) !== NEWLINE) i++;
      continue;
    }
    const inner = stack[stack.length - 1];
    if (inner !== undefined && items.length >= limits.maxListItems && CLOSE[c] === undefined) {
      const { line: l, column: col, offset: o } = inner;
      return fail(
        `'${inner.open}' opened here holds more than the limit of ${limits.maxListItems} forms`,
        { line: l, column: col, offset: o, end: o },
        'LIMIT',
      );
    }
    const open = OPEN[c];
    if (open !== undefined) {
      if (stack.length >= limits.maxDepth) {
        return fail(`nesting deeper than the limit of ${limits.maxDepth} brackets`, here(i), 'LIMIT');
      }
      const frame: Frame = { open, line, column: i - lineStart + 1, offset: i, items: [] };
      stack.push(frame);
      items = frame.items;
      i++;
      continue;
    }
    const close = CLOSE[c];
    if (close !== undefined) {
      const frame = stack.pop();
      if (frame === undefined) return fail(`unexpected '${close}' with no open bracket`, here(i));
      if (CLOSER[frame.open] !== close) {
        return fail(
          `'${close}' does not close the '${frame.open}' opened at ${frame.line}:${frame.column}`,
          here(i),
        );
      }
      i++;
      items = stack[stack.length - 1]?.items ?? top;
      const span: Span = { line: frame.line, column: frame.column, offset: frame.offset, end: i };
      if (frame.open === '{') {
        const made = makeMap(frame.items, span, nextId++);
        if (made instanceof Failure) return { ok: false, error: toDslError(made, file) };
        items.push(made);
      } else {
        const bracket = frame.open === '(' ? 'paren' : 'square';
        items.push({ kind: 'list', id: nextId++, span, bracket, items: frame.items });
      }
      continue;
    }
    const startLine = line;
    const column = i - lineStart + 1;
    const offset = i;
    if (c === QUOTE) {
      let value = '';
      i++;
      let closed = false;
      let from = i;
      while (i < n) {
        const d = source.charCodeAt(i);
        if (d === QUOTE) {
          value += source.slice(from, i);
          closed = true;
          i++;
          break;
        }
        if (d === BACKSLASH) {
          value += source.slice(from, i);
          const e = source[i + 1];
          if (e === '"' || e === '\\') value += e;
          else if (e === 'n') value += '\n';
          else if (e === 't') value += '\t';
          else if (edn && e !== undefined && Object.hasOwn(EDN_ESCAPES, e)) value += EDN_ESCAPES[e];
          else if (edn && e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
            value += String.fromCharCode(Number.parseInt(source.slice(i + 2, i + 6), 16));
            i += 4;
          } else return fail(`unknown escape '\\${e ?? ''}' in a string`, here(i));
          i += 2;
          from = i;
          continue;
        }
        if (d === NEWLINE) {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      const span: Span = { line: startLine, column, offset, end: i };
      if (!closed) return fail(`string opened at ${startLine}:${column} is never closed`, span);
      items.push({ kind: 'string', id: nextId++, span, value });
      continue;
    }
    let j = i;
    while (j < n && !ENDS_TOKEN[source.charCodeAt(j)]) j++;
    const text = source.slice(i, j);
    i = j;
    const span: Span = { line: startLine, column, offset, end: j };
    if (c === 58 /* : */) {
      if (text.length === 1) return fail(`a keyword needs a name after ':'`, span);
      items.push({ kind: 'keyword', id: nextId++, span, name: text.slice(1) });
    } else if (startsNumber.test(text)) {
      if (!numberPattern.test(text))
        return fail(`'${text}' is not a number (expected e.g. 10 or -0.5)`, span);
      const value = Number(edn ? text.replace(/[MN]$/, '') : text);
      items.push({ kind: 'number', id: nextId++, span, value, text });
    } else {
      items.push({ kind: 'symbol', id: nextId++, span, name: text });
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed !== undefined) {
    return fail(`'${unclosed.open}' opened here is never closed`, {
      line: unclosed.line,
      column: unclosed.column,
      offset: unclosed.offset,
      end: unclosed.offset,
    });
  }
  return { ok: true, value: { file, forms: top, nodeCount: nextId } };
}

const EDN_ESCAPES: Readonly<Record<string, string>> = { r: '\r', b: '\b', f: '\f' };

function makeMap(items: readonly Node[], span: Span, id: number): Node | Failure {
  if (items.length % 2 !== 0) {
    return new Failure('PARSE', 'a map needs an even number of forms (keyword value …)', span);
  }
  const entries: MapEntry[] = [];
  for (let k = 0; k < items.length; k += 2) {
    const key = items[k] as Node;
    if (key.kind !== 'keyword') {
      return new Failure('PARSE', 'map keys must be keywords such as :window', key.span);
    }
    entries.push({ key: key as KeywordNode, value: items[k + 1] as Node });
  }
  return { kind: 'map', id, span, entries };
}
