import { compile, programToScore, read, scoreToEdn } from '../../src';

function scoreOf(clj: string) {
  const p = read(clj, 's.clj');
  if (!p.ok) throw new Error(p.error.message);
  return programToScore(p.value);
}

describe('defsymphony → score tree', () => {
  it('writes each form as the step Composer uses, with the root configuration', () => {
    const tree = scoreOf(
      '(defsymphony "s" {:asset-class "EQUITIES", :rebalance-threshold 0.05} (weight-equal [(if (< (rsi "SPY" {:window 10}) 30) [(weight-specified 0.6 (asset "A" "a") 1 [(asset "B")])] [(filter (rsi) (select-bottom 2) [(asset "C") []])])]))',
    );
    expect(tree).toEqual({
      ok: true,
      value: {
        step: 'root',
        name: 's',
        'asset-class': 'EQUITIES',
        rebalance: 'none',
        'rebalance-corridor-width': '0.05',
        children: [
          {
            step: 'wt-cash-equal',
            children: [
              {
                step: 'if',
                children: [
                  {
                    step: 'if-child',
                    'is-else-condition?': false,
                    'lhs-fn': 'relative-strength-index',
                    'lhs-val': 'SPY',
                    'lhs-fn-params': { window: 10 },
                    comparator: 'lt',
                    'rhs-fixed-value?': true,
                    'rhs-val': '30',
                    children: [
                      {
                        step: 'wt-cash-specified',
                        children: [
                          { step: 'asset', ticker: 'A', name: 'a', weight: { num: 60, den: 100 } },
                          { step: 'asset', ticker: 'B', weight: { num: 100, den: 100 } },
                        ],
                      },
                    ],
                  },
                  {
                    step: 'if-child',
                    'is-else-condition?': true,
                    children: [
                      {
                        step: 'filter',
                        'sort-by-fn': 'relative-strength-index',
                        'select-fn': 'bottom',
                        'select-n': '2',
                        children: [{ step: 'asset', ticker: 'C' }, { step: 'empty' }],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
  });

  it('prints a tree as EDN that compiles to the same program as its JSON', () => {
    const tree = scoreOf('(defsymphony "s" {:rebalance-frequency :daily} (weight-equal [(asset "A")]))');
    if (!tree.ok) throw new Error('no tree');
    const edn = scoreToEdn(tree.value);
    expect(edn).toBe(
      '{:step :root, :name "s", :rebalance :daily, :children [{:step :wt-cash-equal, :children [{:step :asset, :ticker "A"}]}]}',
    );
    const a = compile(edn, 's.edn');
    const b = compile(JSON.stringify(tree.value), 's.json');
    expect(a.ok && b.ok).toBe(true);
  });

  it('makes a root with an empty name for a strategy without defsymphony', () => {
    expect(scoreOf('(asset "A")')).toEqual({
      ok: true,
      value: { step: 'root', name: '', children: [{ step: 'asset', ticker: 'A' }] },
    });
  });

  it.each([
    [
      'a filter portfolio that is not a vector',
      '(filter (rsi) (weight-equal [(asset "A")]))',
      /filter's portfolio/,
    ],
    ['a group body that is not a vector', '(group "g" (asset "A"))', /group body/],
    ['a bare ticker string', '(weight-equal ["A"])', /only calls/],
    [
      'a weight-specified operand of several forms',
      '(weight-specified 1 [(asset "A") (asset "B")])',
      /several forms/,
    ],
    ['a nested vector', '(weight-equal [(asset "A") [(asset "B")]])', /nested/],
  ])('refuses %s, which a tree cannot express exactly', (_, clj, message) => {
    const r = scoreOf(clj);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toEqual([
        expect.objectContaining({ code: 'SCORE', message: expect.stringMatching(message) }),
      ]);
  });
});

describe('compiled program', () => {
  it("keeps a score's rebalancing as the defsymphony configuration the runner reads", () => {
    const c = compile(
      '{:step :root, :name "s", :rebalance :none, :rebalance-corridor-width 0.05, :children [{:step :asset, :ticker "A"}]}',
      's.edn',
    );
    if (!c.ok) throw new Error('not compiled');
    const top = c.value.program.forms[0];
    const config = top?.kind === 'list' ? top.items[2] : undefined;
    expect(
      config?.kind === 'map' &&
        config.entries.map((e) => [e.key.name, e.value.kind === 'number' && e.value.text]),
    ).toEqual([
      ['asset-class', false],
      ['rebalance-threshold', '0.05'],
    ]);
  });
});
