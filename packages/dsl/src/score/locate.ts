import type { Node, Span } from '../ast';
import { type DslError, Failure, type Result, toDslError } from '../errors';
import type { Limits } from '../limits';
import { KEYWORD_FIELDS } from './schema';

/**
 * A score tree as a plain value (what JSON.parse gives), with the source span of every value by
 * its path, so that an error found later names the line and column of the field at fault.
 */
export interface Located {
  readonly value: unknown;
  readonly spans: ReadonlyMap<string, Span>;
}

export type Path = readonly (string | number)[];

export const pathKey = (path: Path): string => JSON.stringify(path);

/** The span of the value at `path`, or of its nearest located ancestor. */
export function spanAt(spans: ReadonlyMap<string, Span>, path: Path): Span {
  for (let n = path.length; n >= 0; n--) {
    const span = spans.get(pathKey(path.slice(0, n)));
    if (span !== undefined) return span;
  }
  return { line: 1, column: 1, offset: 0, end: 0 };
}

const fail = (message: string, span: Span, file: string, code: 'PARSE' | 'SCORE' | 'LIMIT' = 'SCORE') => ({
  ok: false as const,
  error: [toDslError(new Failure(code, message, span), file)],
});

/** `:step` → `step`: JSON exports sometimes keep EDN's colons. */
const bare = (key: string) => (key.startsWith(':') ? key.slice(1) : key);

/**
 * An EDN form read by the engine's reader as a plain value: maps → objects (keyword keys without
 * the colon), lists and vectors → arrays, keywords → strings, `true`/`false`/`nil` → booleans and
 * null. Depth is bounded by the reader's nesting limit.
 */
export function fromEdn(node: Node, file: string): Result<Located, DslError[]> {
  const spans = new Map<string, Span>();
  const convert = (n: Node, path: (string | number)[]): unknown | Failure => {
    spans.set(pathKey(path), n.span);
    switch (n.kind) {
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const { key, value } of n.entries) {
          if (Object.hasOwn(out, key.name))
            return new Failure('SCORE', `the key :${key.name} appears twice in this map`, key.span);
          const v = convert(value, [...path, key.name]);
          if (v instanceof Failure) return v;
          setOwn(out, key.name, v);
        }
        return out;
      }
      case 'list': {
        const out: unknown[] = [];
        for (let k = 0; k < n.items.length; k++) {
          const v = convert(n.items[k] as Node, [...path, k]);
          if (v instanceof Failure) return v;
          out.push(v);
        }
        return out;
      }
      case 'string':
      case 'number':
        return n.value;
      case 'keyword':
        return n.name;
      case 'symbol':
        if (n.name === 'true') return true;
        if (n.name === 'false') return false;
        if (n.name === 'nil') return null;
        return new Failure('SCORE', `'${n.name}' is not a value of a score tree`, n.span);
    }
  };
  const value = convert(node, []);
  if (value instanceof Failure) return { ok: false, error: [toDslError(value, file)] };
  return { ok: true, value: { value, spans } };
}

interface Container {
  readonly kind: 'object' | 'array';
  readonly path: (string | number)[];
  readonly keys: Set<string>;
  /** Next array index, or the pending object key (undefined while a key is expected). */
  index: number;
  key: string | undefined;
  readonly start: Span;
}

/**
 * A JSON score: `JSON.parse` gives the value; one scan of the text gives each value's span (keys
 * and keyword values lose a leading colon). Nesting deeper than `limits.maxDepth` or a duplicate
 * key is refused rather than resolved silently.
 */
export function fromJson(text: string, file: string, limits: Limits): Result<Located, DslError[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : 0;
    return fail(`not valid JSON: ${message}`, spanOfOffset(text, offset), file, 'PARSE');
  }
  const spans = new Map<string, Span>();
  const stack: Container[] = [];
  let line = 1;
  let lineStart = 0;
  const here = (offset: number): Span => ({ line, column: offset - lineStart + 1, offset, end: offset });
  /** The path of a value starting now, or undefined when a key is expected. */
  const nextPath = (): (string | number)[] | undefined => {
    const top = stack[stack.length - 1];
    if (top === undefined) return [];
    if (top.kind === 'array') return [...top.path, top.index++];
    if (top.key === undefined) return undefined;
    const path = [...top.path, top.key];
    top.key = undefined;
    return path;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ',' || c === ':') {
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length >= limits.maxDepth)
        return fail(`nesting deeper than the limit of ${limits.maxDepth} brackets`, here(i), file, 'LIMIT');
      const path = nextPath() ?? [];
      const start = here(i);
      spans.set(pathKey(path), start);
      stack.push({
        kind: c === '{' ? 'object' : 'array',
        path,
        keys: new Set(),
        index: 0,
        key: undefined,
        start,
      });
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      const done = stack.pop();
      i++;
      if (done !== undefined) spans.set(pathKey(done.path), { ...done.start, end: i });
      continue;
    }
    const start = here(i);
    let j = i;
    if (c === '"') {
      j++;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      j++;
    } else {
      while (j < text.length && !' \t\r\n,:]}'.includes(text[j] as string)) j++;
    }
    const path = nextPath();
    if (path === undefined) {
      // An object key (JSON.parse accepted the text, so this is a well-formed string).
      const top = stack[stack.length - 1] as Container;
      const key = bare(JSON.parse(text.slice(i, j)) as string);
      if (top.keys.has(key))
        return fail(`the key "${key}" appears twice in this object`, { ...start, end: j }, file);
      top.keys.add(key);
      top.key = key;
    } else {
      spans.set(pathKey(path), { ...start, end: j });
    }
    i = j;
  }
  return { ok: true, value: { value: unkeyword(value), spans } };
}

/** Keys without a leading colon; keyword fields' string values too. */
function unkeyword(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unkeyword);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const key = bare(k);
    setOwn(out, key, KEYWORD_FIELDS.has(key) && typeof x === 'string' ? bare(x) : unkeyword(x));
  }
  return out;
}

/** Defines an own property even for a key such as `__proto__`, so validation sees every key. */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function spanOfOffset(text: string, offset: number): Span {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset, end: offset };
}
