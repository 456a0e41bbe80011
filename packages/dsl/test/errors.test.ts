import { compile, type DslError, formatDslError, Session } from '../src';
import { DEFAULT_LIMITS } from '../src/limits';
import { marketOf } from './support/market';

function problems(source: string): DslError[] {
  const r = compile(source, 's.clj');
  return r.ok ? [] : r.error;
}

function evaluateAt(source: string, bars: Record<string, string>, date: string, maxSteps?: number) {
  const r = compile(source, 's.clj');
  if (!r.ok) throw new Error(r.error.map(formatDslError).join('\n'));
  const limits = maxSteps === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, maxSteps };
  return new Session(r.value, marketOf(bars), limits).evaluate(date);
}

describe('check', () => {
  it('reports an unknown operator with its line and column', () => {
    expect(problems('(weight-equal\n  [(assett "SPY")])')).toEqual([
      {
        code: 'UNKNOWN_OPERATOR',
        message: "unknown operator 'assett'",
        file: 's.clj',
        line: 2,
        column: 4,
        form: 'assett',
      },
    ]);
  });

  it('reports every problem at once, in source order', () => {
    const found = problems(
      '(weight-equal [(if (> (rsi "SPY" {:window 0}) 1) (asset)) (filter (rsi "SPY") [(asset "A")]) (frobnicate)])',
    );
    expect(found.map((e) => [e.code, e.column])).toEqual([
      ['ARGUMENT', 43],
      ['ARITY', 50],
      ['ARGUMENT', 72],
      ['UNKNOWN_OPERATOR', 94],
    ]);
  });

  it.each([
    ['(weight-equal)', 'ARITY', 'weight-equal expects at least 1 argument, got 0'],
    ['(if (> 1 2))', 'ARITY', 'if expects 2 to 3 arguments, got 1'],
    ['(> (rsi "A") 1)', 'ARGUMENT', '> gives a condition, but a portfolio is expected here'],
    ['(asset "not a ticker")', 'ARGUMENT', '"not a ticker" is not a ticker (expected e.g. "SPY" or "BRK/B")'],
    [
      '(weight-specified 0.5 "A" "B")',
      'ARITY',
      'weight-specified expects weight/portfolio pairs (an even number of arguments)',
    ],
    ['(select-top 1)', 'ARGUMENT', 'select-top is only valid as the selector of a filter'],
    [
      '(filter (rsi "A" {:window 2}) [(asset "A")])',
      'ARGUMENT',
      'a filter metric takes no ticker: write (rsi {:window N})',
    ],
    [
      '(weight-equal [(asset "A") SPY])',
      'ARGUMENT',
      `'SPY' is not a portfolio (write tickers as "SPY" or (asset "SPY"))`,
    ],
    ['(weight-equal ["A"]) (asset "B")', 'PARSE', 'expected one top-level form; this one follows it'],
    [
      '(if (> (rsi "A" {:windw 10}) 50) [(asset "A")] [(asset "B")])',
      'ARGUMENT',
      'rsi has no parameter :windw (its one parameter is :window)',
    ],
  ])('rejects %s', (source, code, message) => {
    expect(problems(source)[0]).toMatchObject({ code, message });
  });

  it('accepts Composer exports: defsymphony with a config map and nil descriptions', () => {
    expect(
      problems('(defsymphony "x" {:asset-class "EQUITIES", :rebalance-frequency :daily} (asset "SPY" nil))'),
    ).toEqual([]);
  });
});

describe('evaluation errors', () => {
  it('name the symbol, the as-of date and the form', () => {
    const r = evaluateAt(
      '(weight-equal\n [(if (> (rsi "B" {:window 2}) 50) "A" "A")])',
      { A: '1 1', B: '- 1' },
      '2024-01-01',
    );
    expect(r.ok ? r.value : r.error).toEqual({
      code: 'NO_DATA',
      message: 'no market data for B on or before 2024-01-01',
      file: 's.clj',
      line: 2,
      column: 10,
      form: 'rsi',
      symbol: 'B',
      date: '2024-01-01',
    });
  });

  it('print as file:line:column: CODE message', () => {
    const r = evaluateAt('(if (< (current-price "A") 1) "A")', { A: '1' }, '2024-01-01');
    expect(r.ok ? 'ok' : formatDslError(r.error)).toBe(
      's.clj:1:1: NO_BRANCH the condition is false and this if has no else branch',
    );
  });

  it('explain too little history', () => {
    const r = evaluateAt(
      '(if (< (moving-average-price "A" {:window 3}) 1) "A" "A")',
      { A: '1 1' },
      '2024-01-02',
    );
    expect(r.ok ? 'ok' : r.error.message).toBe(
      'moving-average-price over 3 days needs more history than the 2 bars of A up to 2024-01-02',
    );
  });

  it('stop an evaluation that exceeds its work budget with LIMIT', () => {
    const source = `(weight-equal [${'(weight-equal [(asset "A")]) '.repeat(50)}])`;
    const r = evaluateAt(source, { A: '1' }, '2024-01-01', 40);
    expect(r.ok ? 'ok' : r.error.code).toBe('LIMIT');
    expect(evaluateAt(source, { A: '1' }, '2024-01-01', 1000).ok).toBe(true);
  });

  it('evaluate the deepest nesting the reader accepts without overflowing the stack', () => {
    const depth = DEFAULT_LIMITS.maxDepth / 2 - 1;
    const source = `${'(weight-equal ['.repeat(depth)}(asset "A")${'])'.repeat(depth)}`;
    const r = evaluateAt(source, { A: '1' }, '2024-01-01');
    expect(r.ok ? r.value.map((w) => w.symbol) : r.error).toEqual(['A']);
  });

  it('bound pathological nested block filters by the work budget', () => {
    let body = '(group "g" [(asset "A")])';
    for (let k = 0; k < 12; k++) {
      body = `(filter (cumulative-return {:window 200}) (select-top 1) [(group "g${k}" [${body}]) (group "h${k}" [${body}])])`;
    }
    const bars = { A: Array.from({ length: 700 }, (_, i) => String(100 + (i % 7))).join(' ') };
    const r = evaluateAt(body, bars, '2025-12-01', 200_000);
    expect(r.ok ? 'ok' : r.error.code).toBe('LIMIT');
  });
});
