import type { KeywordNode, MapEntry, Node, Program, Span } from './ast';
import { type DslError, Failure, type Result, toDslError } from './errors';
import { DEFAULT_LIMITS, type Limits } from './limits';

const NUMBER = /^-?\d+(\.\d+)?$/;
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;
/** By char code below 128: whitespace and delimiters end a symbol, keyword or number. */
const ENDS_TOKEN: readonly boolean[] = Array.from({ length: 128 }, (_, c) =>
  ' \n\t\r()[]{}";,'.includes(String.fromCharCode(c)),
);
const CLOSER: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

interface Frame {
  readonly open: string;
  readonly start: Span;
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
): Result<Program, DslError> {
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
  const here = (offset: number): Span => ({ line, column: offset - lineStart + 1, offset, end: offset });
  const push = (node: Node) => {
    const frame = stack[stack.length - 1];
    (frame === undefined ? top : frame.items).push(node);
  };

  while (i < n) {
    const c = source[i] as string;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ',') {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      if (stack.length >= limits.maxDepth) {
        return fail(`nesting deeper than the limit of ${limits.maxDepth}`, here(i), 'LIMIT');
      }
      stack.push({ open: c, start: here(i), items: [] });
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      const frame = stack.pop();
      if (frame === undefined) return fail(`unexpected '${c}' with no open bracket`, here(i));
      if (CLOSER[frame.open] !== c) {
        return fail(
          `'${c}' does not close the '${frame.open}' opened at ${frame.start.line}:${frame.start.column}`,
          here(i),
        );
      }
      i++;
      const span: Span = { ...frame.start, end: i };
      if (frame.open === '{') {
        const made = makeMap(frame.items, span, nextId++);
        if (made instanceof Failure) return { ok: false, error: toDslError(made, file) };
        push(made);
      } else {
        push({
          kind: 'list',
          id: nextId++,
          span,
          bracket: frame.open === '(' ? 'paren' : 'square',
          items: frame.items,
        });
      }
      continue;
    }
    if (c === '"') {
      const start = here(i);
      const startLine = line;
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
          else return fail(`unknown escape '\\${e ?? ''}' in a string`, here(i));
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
      if (!closed) return fail(`string opened at ${startLine}:${start.column} is never closed`, start);
      push({ kind: 'string', id: nextId++, span: { ...start, end: i }, value });
      continue;
    }
    const start = here(i);
    let j = i;
    while (j < n && !ENDS_TOKEN[source.charCodeAt(j)]) j++;
    const text = source.slice(i, j);
    i = j;
    const span: Span = { ...start, end: j };
    if (text.startsWith(':')) {
      if (text.length === 1) return fail(`a keyword needs a name after ':'`, span);
      push({ kind: 'keyword', id: nextId++, span, name: text.slice(1) });
    } else if (/^-?\d/.test(text)) {
      if (!NUMBER.test(text)) return fail(`'${text}' is not a number (expected e.g. 10 or -0.5)`, span);
      push({ kind: 'number', id: nextId++, span, value: Number(text), text });
    } else {
      push({ kind: 'symbol', id: nextId++, span, name: text });
    }
  }
  const open = stack[stack.length - 1];
  if (open !== undefined) {
    return fail(`'${open.open}' opened here is never closed`, open.start);
  }
  return { ok: true, value: { file, forms: top, nodeCount: nextId } };
}

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
