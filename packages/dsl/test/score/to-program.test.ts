import fc from 'fast-check';
import { compile, type DslError, formatDslError, print, Session } from '../../src';
import { formatOf, readStrategy } from '../../src/source';
import { marketOf } from '../support/market';

/** The defsymphony form a score converts to, printed flat. */
function cljOf(score: string): string {
  const r = readStrategy(score, 's.edn');
  if (!r.ok) throw new Error(r.error.map(formatDslError).join('\n'));
  return print(r.value.forms[0] as never);
}

function problems(score: string, file = 's.edn'): Pick<DslError, 'code' | 'line' | 'column' | 'message'>[] {
  const r = compile(score, file);
  return r.ok ? [] : r.error.map(({ code, line, column, message }) => ({ code, line, column, message }));
}

const root = (child: string, extra = '') => `{:step :root, :name "s"${extra}, :children [${child}]}`;
const asset = (t: string) => `{:step :asset, :ticker "${t}"}`;
const CONFIG = '{:asset-class "EQUITIES"}';

describe('score tree → defsymphony', () => {
  it.each([
    [
      'wt-cash-equal',
      `{:step :wt-cash-equal, :children [${asset('A')} ${asset('B')}]}`,
      '(weight-equal [(asset "A") (asset "B")])',
    ],
    [
      'wt-cash-specified with num/den weights (numbers or strings)',
      `{:step :wt-cash-specified, :children [{:step :asset, :ticker "A", :weight {:num 60, :den 100}} {:step :asset, :ticker "B", :weight {:num "40", :den "100"}}]}`,
      '(weight-specified 0.6 (asset "A") 0.4 (asset "B"))',
    ],
    [
      'wt-inverse-vol',
      `{:step :wt-inverse-vol, :window-days "10", :children [${asset('A')} {:step :empty}]}`,
      '(weight-inverse-volatility 10 [(asset "A") []])',
    ],
    ['group', `{:step :group, :name "g", :children [${asset('A')}]}`, '(group "g" [(asset "A")])'],
    [
      'asset with its name, and exchange metadata ignored',
      '{:step :asset, :ticker "SPY", :name "SPDR", :exchange "ARCX", :price 1.5E2, :dollar_volume 5.5E9}',
      '(asset "SPY" "SPDR")',
    ],
    [
      'if with a fixed right-hand side and an else',
      `{:step :if, :children [{:step :if-child, :is-else-condition? false, :lhs-fn :relative-strength-index, :lhs-window-days "10", :lhs-val "SPY", :comparator :gt, :rhs-fixed-value? true, :rhs-val "79", :children [${asset('A')}]} {:step :if-child, :is-else-condition? true, :children [${asset('B')}]}]}`,
      '(if (> (rsi "SPY" {:window 10}) 79) [(asset "A")] [(asset "B")])',
    ],
    [
      'if comparing two functions (:lhs-fn-params, :rhs-window-days), without rhs-fixed-value?',
      `{:step :if, :children [{:step :if-child, :lhs-fn :current-price, :lhs-val "SPY", :comparator :lte, :rhs-fn :moving-average-price, :rhs-fn-params {:window 200}, :rhs-val "SPY", :children [${asset('A')}]}]}`,
      '(if (<= (current-price "SPY") (moving-average-price "SPY" {:window 200})) [(asset "A")])',
    ],
    [
      'a stale :rhs-fn under :rhs-fixed-value? true',
      `{:step :if, :children [{:step :if-child, :lhs-fn :standard-deviation-return, :lhs-fn-params {:window 5}, :lhs-val "SPY", :comparator :gte, :rhs-fixed-value? true, :rhs-fn :moving-average-price, :rhs-val "-1.5", :children [${asset('A')}]}]}`,
      '(if (>= (stdev-return "SPY" {:window 5}) -1.5) [(asset "A")])',
    ],
    [
      'several conditions as an else-if chain',
      `{:step :if, :children [{:step :if-child, :lhs-fn :max-drawdown, :lhs-val "A", :lhs-window-days "3", :comparator :lt, :rhs-val 5, :children [${asset('A')}]} {:step :if-child, :lhs-fn :cumulative-return, :lhs-val "B", :lhs-window-days "3", :comparator :gt, :rhs-val "1", :children [${asset('B')}]} {:step :if-child, :is-else-condition? true, :children [${asset('C')}]}]}`,
      '(if (< (max-drawdown "A" {:window 3}) 5) [(asset "A")] [(if (> (cumulative-return "B" {:window 3}) 1) [(asset "B")] [(asset "C")])])',
    ],
    [
      'filter with sort-by and select',
      `{:step :filter, :sort-by-fn :relative-strength-index, :sort-by-window-days "13", :select-fn :bottom, :select-n "1", :select? true, :sort-by? true, :children [${asset('A')} ${asset('B')}]}`,
      '(filter (rsi {:window 13}) (select-bottom 1) [(asset "A") (asset "B")])',
    ],
    [
      'filter without a window or a selector',
      `{:step :filter, :sort-by-fn :relative-strength-index, :children [${asset('A')}]}`,
      '(filter (rsi) [(asset "A")])',
    ],
  ])('%s', (_, child, body) => {
    expect(cljOf(root(child))).toBe(`(defsymphony "s" ${CONFIG} ${body})`);
  });

  it('maps the root rebalancing onto the defsymphony configuration', () => {
    const daily = cljOf(root(asset('A'), ', :rebalance :daily'));
    expect(daily).toBe(
      '(defsymphony "s" {:asset-class "EQUITIES", :rebalance-frequency :daily} (asset "A"))',
    );
    const threshold = cljOf(root(asset('A'), ', :rebalance :none, :rebalance-corridor-width 0.05'));
    expect(threshold).toBe(
      '(defsymphony "s" {:asset-class "EQUITIES", :rebalance-threshold 0.05} (asset "A"))',
    );
  });

  it('weighs several root children equally', () => {
    expect(cljOf(root(`${asset('A')} ${asset('B')}`))).toBe(
      `(defsymphony "s" ${CONFIG} (weight-equal [(asset "A") (asset "B")]))`,
    );
  });

  it('reads the JSON form of a tree exactly as its EDN form', () => {
    const json = JSON.stringify({
      step: 'root',
      name: 's',
      rebalance: 'daily',
      'rebalance-corridor-width': null,
      weight: null,
      children: [
        {
          step: 'wt-cash-specified',
          children: [
            { step: 'asset', ticker: 'A', weight: { num: 60, den: 100 } },
            {
              step: 'filter',
              'sort-by-fn': ':cumulative-return',
              'sort-by-window-days': '20',
              'select-fn': 'top',
              'select-n': 2,
              weight: { num: 40, den: 100 },
              children: [{ step: 'asset', ticker: 'B' }, { step: 'empty' }],
            },
          ],
        },
      ],
    });
    const edn =
      '{:step :root, :name "s", :rebalance :daily, :children [{:step :wt-cash-specified, :children [{:step :asset, :ticker "A", :weight {:num 60, :den 100}} {:step :filter, :sort-by-fn :cumulative-return, :sort-by-window-days "20", :select-fn :top, :select-n 2, :weight {:num 40, :den 100}, :children [{:step :asset, :ticker "B"} {:step :empty}]}]}]}';
    expect(cljOf(json)).toBe(cljOf(edn));
    expect(cljOf(edn)).toBe(
      '(defsymphony "s" {:asset-class "EQUITIES", :rebalance-frequency :daily} (weight-specified 0.6 (asset "A") 0.4 (filter (cumulative-return {:window 20}) (select-top 2) [(asset "B") []])))',
    );
  });

  it('evaluates a tree exactly as its defsymphony form', () => {
    const tree = root(
      `{:step :wt-cash-equal, :children [{:step :if, :children [{:step :if-child, :lhs-fn :cumulative-return, :lhs-window-days "2", :lhs-val "A", :comparator :gt, :rhs-val "5", :children [{:step :filter, :sort-by-fn :relative-strength-index, :sort-by-window-days "2", :select-fn :top, :select-n "1", :children [${asset('B')} ${asset('C')}]}]} {:step :if-child, :is-else-condition? true, :children [{:step :empty}]}]} {:step :wt-cash-specified, :children [{:step :asset, :ticker "A", :weight {:num 1, :den 3}} {:step :asset, :ticker "C", :weight {:num 2, :den 3}}]}]}`,
    );
    const clj =
      '(defsymphony "s" {} (weight-equal [(if (> (cumulative-return "A" {:window 2}) 5) [(filter (rsi {:window 2}) (select-top 1) [(asset "B") (asset "C")])] [[]]) (weight-specified 0.333333333333333333333 (asset "A") 0.666666666666666666667 (asset "C"))]))';
    const bars = { A: '100 103 110 100 90', B: '10 11 12 11 12', C: '20 19 21 22 20' };
    const run = (source: string) => {
      const c = compile(source, 's');
      if (!c.ok) throw new Error(c.error.map(formatDslError).join('\n'));
      const session = new Session(c.value, marketOf(bars));
      return ['2024-01-03', '2024-01-04', '2024-01-05'].map((d) => session.evaluate(d));
    };
    const got = run(tree);
    expect(got).toEqual(run(clj));
    expect(got.filter((r) => r.ok && r.value.length === 2)).not.toHaveLength(0);
  });
});

describe('score tree errors', () => {
  it('names an unknown step, an unknown field and a missing field with their line:column', () => {
    const found = problems(
      '{:step :root, :children\n [{:step :wt-cash-equal, :foo 1, :children\n   [{:step :bogus} {:step :asset}]}]}',
    );
    expect(found).toEqual([
      expect.objectContaining({
        code: 'SCORE',
        line: 3,
        column: 12,
        message: expect.stringMatching(/^unknown step "bogus"/),
      }),
      expect.objectContaining({ code: 'SCORE', line: 3, column: 20, message: 'a :asset step needs :ticker' }),
      expect.objectContaining({
        code: 'SCORE',
        line: 2,
        column: 3,
        message: expect.stringMatching(/^unknown field :foo on a :wt-cash-equal step/),
      }),
    ]);
  });

  it('refuses an unknown function and comparator as UNKNOWN_OPERATOR at the field', () => {
    const found = problems(
      root(
        `{:step :if, :children [{:step :if-child, :lhs-fn :macd, :lhs-val "SPY", :comparator :eq, :rhs-val "1", :children [${asset('A')}]}]}`,
      ),
    );
    expect(found.map((e) => [e.code, e.column, e.message.split(' (')[0]])).toEqual([
      ['UNKNOWN_OPERATOR', 86, 'unknown function :macd'],
      ['UNKNOWN_OPERATOR', 121, 'unknown comparator :eq'],
    ]);
  });

  it.each([
    [
      'a structured condition',
      `{:step :if, :children [{:step :if-child, :condition {:condition-type "binary"}, :children [${asset('A')}]}]}`,
      /^structured :condition blocks are not supported/,
    ],
    [
      'a weight missing under wt-cash-specified',
      `{:step :wt-cash-specified, :children [${asset('A')}]}`,
      /needs a :weight/,
    ],
    [
      'a zero denominator',
      `{:step :wt-cash-specified, :children [{:step :asset, :ticker "A", :weight {:num 1, :den 0}}]}`,
      /:den must be positive/,
    ],
    [
      'a window that is not a whole number',
      `{:step :wt-inverse-vol, :window-days "2.5", :children [${asset('A')}]}`,
      /whole number/,
    ],
    [
      'an if without a condition',
      `{:step :if, :children [{:step :if-child, :is-else-condition? true, :children []}]}`,
      /needs an :if-child with a condition/,
    ],
    [
      'windows that disagree',
      `{:step :if, :children [{:step :if-child, :lhs-fn :relative-strength-index, :lhs-val "A", :lhs-window-days "10", :lhs-fn-params {:window 14}, :comparator :gt, :rhs-val "1", :children [${asset('A')}]}]}`,
      /gives the window 14 but :lhs-window-days 10/,
    ],
    [
      'a select-fn that is neither top nor bottom',
      `{:step :filter, :sort-by-fn :current-price, :select-fn :middle, :select-n 1, :children [${asset('A')}]}`,
      /:select-fn must be :top or :bottom/,
    ],
    ['a symbol that is not a value', `{:step :asset, :ticker SPY}`, /'SPY' is not a value of a score tree/],
    ['a duplicate key', `{:step :asset, :ticker "A", :ticker "B"}`, /appears twice/],
    [
      'an :if-child outside an :if',
      '{:step :if-child, :children []}',
      /belongs among the children of an :if step/,
    ],
    ['a child that is not a map', '"SPY"', /must be a map, got "SPY"/],
  ])('refuses %s with SCORE', (_, child, message) => {
    const found = problems(root(child));
    expect(found).toEqual([
      expect.objectContaining({ code: 'SCORE', message: expect.stringMatching(message) }),
    ]);
  });

  it('refuses a rebalance that is not a frequency, and a corridor that is not a fraction', () => {
    expect(problems(root(asset('A'), ', :rebalance :hourly, :rebalance-corridor-width 5'))).toEqual([
      expect.objectContaining({
        code: 'SCORE',
        message: expect.stringMatching(/^:rebalance must be one of none, daily/),
      }),
      expect.objectContaining({
        code: 'SCORE',
        message: expect.stringMatching(/^:rebalance-corridor-width is a fraction/),
      }),
    ]);
  });

  it('refuses a tree whose top is not a root step', () => {
    expect(problems(asset('A'))).toEqual([
      expect.objectContaining({
        code: 'SCORE',
        message: 'the top of a score tree is a :root step, not :asset',
      }),
    ]);
  });

  it('refuses a __proto__ key instead of letting it pass unseen', () => {
    const json = '{"step": "root", "children": [{"step": "asset", "ticker": "A", "__proto__": {"x": 1}}]}';
    expect(problems(json, 's.json')).toEqual([
      expect.objectContaining({ code: 'SCORE', message: expect.stringMatching(/unknown field :__proto__/) }),
    ]);
  });

  it('names the JSON line and column of a field the checker refuses', () => {
    const json = JSON.stringify(
      {
        step: 'root',
        children: [{ step: 'wt-cash-equal', children: [{ step: 'asset', ticker: 'NOT A TICKER' }] }],
      },
      null,
      2,
    );
    expect(problems(json, 's.json')).toEqual([
      {
        code: 'ARGUMENT',
        line: 9,
        column: 21,
        message: '"NOT A TICKER" is not a ticker (expected e.g. "SPY" or "BRK/B")',
      },
    ]);
  });

  it('refuses a duplicate JSON key and malformed JSON', () => {
    expect(problems('{"step": "root",\n "step": "root"}', 's.json')).toEqual([
      { code: 'SCORE', line: 2, column: 2, message: 'the key "step" appears twice in this object' },
    ]);
    expect(problems('{"step": "root",\n "children": []', 's.json')).toEqual([
      expect.objectContaining({ code: 'PARSE', line: 2, column: 16 }),
    ]);
    expect(problems('{"step": "root", "children": [}', 's.json')).toEqual([
      expect.objectContaining({ code: 'PARSE', message: expect.stringMatching(/^not valid JSON/) }),
    ]);
  });

  it('bounds the nesting of a JSON tree like the reader bounds brackets', () => {
    const deep = `{"step": "root", "children": ${'['.repeat(1200)}${']'.repeat(1200)}}`;
    expect(problems(deep, 's.json')).toEqual([expect.objectContaining({ code: 'LIMIT' })]);
  });
});

describe('formatOf', () => {
  it.each([
    ['(defsymphony "x" {} (asset "A"))', 'clj'],
    ['; a comment\n(asset "A")', 'clj'],
    ['{:step :root}', 'edn-score'],
    ['\n ; exported\n{ :step :root}', 'edn-score'],
    ['{"step": "root"}', 'json-score'],
    ['  {\n  "step": "root"}', 'json-score'],
    ['{}', 'json-score'],
  ])('%j is %s', (source, format) => {
    expect(formatOf(source)).toBe(format);
  });
});

describe('hostile score trees', () => {
  it('never throw: any JSON value, as a tree or as a child of a root, compiles or gives errors', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        for (const source of [text, `{"step": "root", "children": [${text}]}`]) {
          const r = compile(source, 's.json');
          if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throw: trees of known steps with arbitrary fields', () => {
    const step = fc.constantFrom(
      'root',
      'wt-cash-equal',
      'wt-cash-specified',
      'wt-inverse-vol',
      'group',
      'if',
      'if-child',
      'filter',
      'asset',
      'empty',
    );
    const field = fc.constantFrom(
      'ticker',
      'weight',
      'window-days',
      'lhs-fn',
      'lhs-val',
      'rhs-val',
      'comparator',
      'sort-by-fn',
      'select-n',
      'select-fn',
      'is-else-condition?',
      'rhs-fixed-value?',
      'name',
    );
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('relative-strength-index', 'gt', 'top', 'SPY', '10'),
      fc.record({ num: fc.integer(), den: fc.integer() }),
    );
    const tree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .tuple(step, fc.dictionary(field, value, { maxKeys: 4 }))
          .map(([s, fields]) => ({ ...fields, step: s })),
        fc
          .tuple(step, fc.dictionary(field, value, { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 }))
          .map(([s, fields, children]) => ({ ...fields, step: s, children })),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (t) => {
        const r = compile(JSON.stringify({ step: 'root', children: [t] }), 's.json');
        if (!r.ok) expect(r.error.every((e) => e.line >= 1 && e.column >= 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
