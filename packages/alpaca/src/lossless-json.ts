import { canonical, Decimal } from '@books/core';

/**
 * A JSON number kept as the exact text it had in the document. Prices such as the latest trade's
 * `p` arrive as JSON numbers; `JSON.parse` would round them to float64 before we ever saw them.
 * Parsing with this module never creates a JS number, so no rounding can happen anywhere.
 */
export class JsonNumber {
  constructor(readonly source: string) {}
  /** The exact value as a plain decimal string (exponents expanded), e.g. "1.5e-3" → "0.0015". */
  toDecimalString(): string {
    return canonical(new Decimal(this.source));
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** Parses RFC 8259 JSON; numbers become `JsonNumber` holding their source text. */
export function parseJsonLossless(text: string): JsonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${pos}`);
  };
  const skip = (): void => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    pos = WHITESPACE.lastIndex;
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('unexpected token');
  };
  const string = (): string => {
    // From the opening quote to the matching closing one, then let JSON.parse decode escapes.
    const start = pos;
    pos++;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 0x22) break;
      pos += c === 0x5c ? 2 : 1;
    }
    pos++;
    const decoded: unknown = JSON.parse(text.slice(start, pos));
    return typeof decoded === 'string' ? decoded : fail('bad string');
  };
  const value = (): JsonValue => {
    skip();
    const c = text[pos];
    switch (c) {
      case '{': {
        pos++;
        const obj: { [key: string]: JsonValue } = {};
        skip();
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        for (;;) {
          skip();
          if (text[pos] !== '"') fail('expected a key');
          const key = string();
          skip();
          if (text[pos] !== ':') fail('expected ":"');
          pos++;
          // defineProperty: a "__proto__" key is data, not a prototype change.
          Object.defineProperty(obj, key, {
            value: value(),
            enumerable: true,
            writable: true,
            configurable: true,
          });
          skip();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            return obj;
          }
          fail('expected "," or "}"');
        }
      }
      case '[': {
        pos++;
        const arr: JsonValue[] = [];
        skip();
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(value());
          skip();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            return arr;
          }
          fail('expected "," or "]"');
        }
      }
      case '"':
        return string();
      case 't':
        return literal('true', true);
      case 'f':
        return literal('false', false);
      case 'n':
        return literal('null', null);
      default: {
        NUMBER.lastIndex = pos;
        const m = NUMBER.exec(text);
        if (!m) return fail('unexpected token');
        pos = NUMBER.lastIndex;
        return new JsonNumber(m[0]);
      }
    }
  };

  const result = value();
  skip();
  if (pos !== text.length) fail('trailing characters');
  return result;
}
