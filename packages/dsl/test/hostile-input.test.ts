import fc from 'fast-check';
import { compile, type DslError, formatDslError, Session } from '../src';
import { MAX_ERROR_TEXT } from '../src/errors';
import { DEFAULT_LIMITS } from '../src/limits';
import { marketOf } from './support/market';

function errorsOf(source: string, file = 'hostile.clj'): DslError[] {
  const r = compile(source, file);
  return r.ok ? [] : r.error;
}

function evaluate(source: string, bars: Record<string, string>, date: string) {
  const r = compile(source, 'hostile.clj');
  if (!r.ok) throw new Error(r.error.map(formatDslError).join('\n'));
  return new Session(r.value, marketOf(bars)).evaluate(date);
}

describe('hostile strategy files', () => {
  it('refuses a 10 MB file before reading it, naming its size and the limit', () => {
    const huge = `(weight-equal [${'(asset "SPY") '.repeat(750_000)}])`;
    expect(huge.length).toBeGreaterThan(10_000_000);
    expect(errorsOf(huge)).toEqual([
      {
        code: 'LIMIT',
        message: `the file has ${huge.length} characters, more than the limit of ${DEFAULT_LIMITS.maxSourceChars}`,
        file: 'hostile.clj',
        line: 1,
        column: 1,
      },
    ]);
  });

  it.each([
    ['vectors', '[', ']'],
    ['lists', '(', ')'],
    ['operators', '(weight-equal ', ')'],
  ])(
    'gives a LIMIT naming the line and column, not a stack overflow, for 5,000-deep %s',
    (_, open, close) => {
      const source = `\n${open.repeat(5000)}(asset "SPY")${close.repeat(5000)}`;
      const [error, ...more] = errorsOf(source);
      expect(more).toEqual([]);
      // The first bracket past the limit is the (maxDepth + 1)th, on line 2.
      const column = open.length * DEFAULT_LIMITS.maxDepth + 1;
      expect(error).toEqual({
        code: 'LIMIT',
        message: `nesting deeper than the limit of ${DEFAULT_LIMITS.maxDepth} brackets`,
        file: 'hostile.clj',
        line: 2,
        column,
      });
      if (error)
        expect(formatDslError(error)).toMatch(new RegExp(`^hostile\\.clj:2:${column}: LIMIT nesting deeper`));
    },
  );

  it('evaluates nesting just inside the limit without exhausting the stack', () => {
    const depth = DEFAULT_LIMITS.maxDepth - 2;
    const source = `${'(weight-equal '.repeat(depth)}(asset "SPY")${')'.repeat(depth)}`;
    const r = evaluate(source, { SPY: '1 2 3' }, '2024-01-03');
    expect(r.ok ? r.value.map((w) => `${w.symbol} ${w.weight}`) : formatDslError(r.error)).toEqual(['SPY 1']);
  });

  it('gives a LIMIT at the bracket, not a crash, for a vector of 200,000 forms', () => {
    const source = `(weight-equal\n  [${'(asset "SPY") '.repeat(200_000)}])`;
    expect(errorsOf(source)).toEqual([
      {
        code: 'LIMIT',
        message: `'[' opened here holds more than the limit of ${DEFAULT_LIMITS.maxListItems} forms`,
        file: 'hostile.clj',
        line: 2,
        column: 3,
      },
    ]);
  });

  it('reads a vector of exactly the limit of forms', () => {
    const source = `(weight-equal [${'(asset "SPY") '.repeat(DEFAULT_LIMITS.maxListItems)}])`;
    expect(errorsOf(source)).toEqual([]);
  });

  it('keeps error messages short when the offending text is a megabyte long', () => {
    const [string] = errorsOf(`(asset "${'A'.repeat(1_000_000)}")`);
    const [operator] = errorsOf(`(${'a'.repeat(1_000_000)})`);
    expect(string).toMatchObject({ code: 'ARGUMENT', line: 1, column: 8 });
    expect(operator).toMatchObject({ code: 'UNKNOWN_OPERATOR', line: 1, column: 1 });
    for (const e of [string, operator]) {
      expect(e?.message.length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
      expect(e?.form?.length ?? 0).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    }
  });

  it.each([
    ['an unknown operator', '(weight-equal\n  [(assett "SPY")])', 'UNKNOWN_OPERATOR', 2, 4],
    [
      'a bare word where a portfolio belongs',
      '(weight-equal [(asset "SPY")\n   frobnicate])',
      'ARGUMENT',
      2,
      4,
    ],
    ['a ticker that is not one', '(weight-equal [(asset "SP Y")])', 'ARGUMENT', 1, 23],
    ['an unclosed bracket', '(weight-equal\n  [(asset "SPY")]', 'PARSE', 1, 1],
    ['a stray closing bracket', '(asset "SPY"))', 'PARSE', 1, 14],
    ['a mismatched bracket', '(weight-equal [(asset "SPY")))', 'PARSE', 1, 29],
    ['an unclosed string', '(asset "SPY)', 'PARSE', 1, 8],
    ['a malformed number', '(weight-specified 0.6.1 (asset "SPY"))', 'PARSE', 1, 19],
    ['control characters', '\u0000\u0001(\uFFFF)', 'PARSE', 1, 3],
    ['an empty file', '', 'PARSE', 1, 1],
    ['a file of comments only', '; nothing here\n;; still nothing\n', 'PARSE', 1, 1],
  ])('reports %s with its code, line and column', (_, source, code, line, column) => {
    expect(errorsOf(source)).toContainEqual(
      expect.objectContaining({ code, file: 'hostile.clj', line, column }),
    );
  });

  it('names an unknown symbol (a ticker with no bars), the date and the position', () => {
    const r = evaluate('(weight-equal\n  [(asset "SPY") (asset "NOSUCH")])', { SPY: '1 2 3' }, '2024-01-03');
    expect(r.ok ? r.value : r.error).toEqual({
      code: 'NO_DATA',
      message: 'no market data for NOSUCH on or before 2024-01-03',
      file: 'hostile.clj',
      line: 2,
      column: 18,
      form: 'asset',
      symbol: 'NOSUCH',
      date: '2024-01-03',
    });
  });

  it('never throws on arbitrary text: every failure is a value with a file, line and column', () => {
    const alphabet = fc.constantFrom(
      ...'()[]{}" :;\\\n\tab1.-#'.split(''),
      'asset',
      'if',
      '"SPY"',
      '{:window',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
        const r = compile(parts.join(''), 'fuzz.clj');
        if (r.ok) return;
        for (const e of r.error) {
          expect(e.file).toBe('fuzz.clj');
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
