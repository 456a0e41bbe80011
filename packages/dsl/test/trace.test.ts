import {
  compile,
  type FilterTrace,
  formatTrace,
  type IfTrace,
  Session,
  type TraceNode,
  TraceSchema,
} from '../src';
import { dayDate, marketOf } from './support/market';

function sessionOf(strategy: string, bars: Readonly<Record<string, string>>): Session {
  const compiled = compile(strategy, 's.clj');
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
  return new Session(compiled.value, marketOf(bars));
}

function only<T extends TraceNode>(nodes: readonly TraceNode[], kind: T['kind']): T {
  expect(nodes.map((n) => n.kind)).toEqual([kind]);
  return nodes[0] as T;
}

describe('Session.explain', () => {
  it('records the if condition with its indicator value, the branch taken and the position', () => {
    const s = sessionOf(
      `(defsymphony "s" {}
  (if (> (current-price "SPY") 100)
      (weight-equal [(asset "SPY") (asset "BND")])
      (weight-equal [(asset "BND")])))`,
      { SPY: '99 101', BND: '50 50' },
    );
    const trace = s.explain(dayDate(1)).trace();
    const node = only<IfTrace>(trace.nodes, 'if');
    expect(node.at).toBe('2:3');
    expect(node.condition).toEqual({
      op: '>',
      left: { form: '(current-price "SPY")', value: 101 },
      right: { form: '100', value: 100 },
      result: true,
    });
    expect(node.branch).toBe('then');
    const taken = only(node.children, 'weight-equal');
    expect(taken.at).toBe('3:7');
    expect(taken.weights).toEqual({ SPY: 0.5, BND: 0.5 });
    expect(trace.outcome).toEqual({ weights: { BND: '0.5', SPY: '0.5' } });

    const before = s.explain(dayDate(0)).trace();
    const no = only<IfTrace>(before.nodes, 'if');
    expect(no.branch).toBe('else');
    expect(no.condition?.left.value).toBe(99);
    expect(only(no.children, 'weight-equal').at).toBe('4:7');
  });

  it('ranks asset filter candidates with their scores, the selection and unscored candidates last', () => {
    // moving-average-price 2: A 105, B 11, C 19.5; D has one bar only (too little history).
    const s = sessionOf(
      '(filter (moving-average-price {:window 2}) (select-top 2) [(asset "A") (asset "B") (asset "C") (asset "D")])',
      { A: '100 110', B: '10 12', C: '20 19', D: '- 5' },
    );
    const node = only<FilterTrace>(s.explain(dayDate(1)).trace().nodes, 'filter');
    expect(node.metric).toBe('moving-average-price 2');
    expect(node.select).toBe('top 2');
    expect(node.mode).toBe('asset');
    expect(node.candidates).toEqual([
      { label: 'A', score: 105, selected: true },
      { label: 'C', score: 19.5, selected: true },
      { label: 'B', score: 11, selected: false },
      { label: 'D', score: null, selected: false },
    ]);
    expect(node.weights).toEqual({ A: 0.5, C: 0.5 });
  });

  it('marks tied candidates and orders them by the tie-break, in the selection direction', () => {
    const s = sessionOf(
      '(filter (current-price) (select-bottom 1) [(group "z" [(asset "D")]) (group "y" [(asset "C")]) (asset "E")])',
      { C: '5', D: '5', E: '7' },
    );
    const node = only<FilterTrace>(s.explain(dayDate(0)).trace().nodes, 'filter');
    expect(node.mode).toBe('block');
    expect(node.candidates).toEqual([
      { label: 'group "y" @1:70', score: 5, basis: 'holdings', selected: true },
      { label: 'group "z" @1:44', score: 5, basis: 'holdings', selected: false, tied: true },
      { label: 'E', score: 7, selected: false },
    ]);
  });

  it('gives each block candidate its own basis, whatever asset candidates come before it', () => {
    // "held" has no history before day 3 (scored from today's holdings), "up" has its own
    // (scored from it); the assets before and between them have no basis.
    const s = sessionOf(
      `(filter (cumulative-return {:window 3}) (select-top 3)
  [(asset "E") (asset "N") (group "held" [(asset "C")]) (group "up" [(asset "A")])])`,
      { A: '100 101 102 103 104', C: '- - - 10 11', E: '50 50 50 50 60', N: '- - - - 5' },
    );
    const node = only<FilterTrace>(s.explain(dayDate(4)).trace().nodes, 'filter');
    expect(node.candidates.map((c) => [c.label, c.basis, c.selected])).toEqual([
      ['E', undefined, true],
      ['group "up" @2:57', 'history', true],
      ['group "held" @2:28', 'holdings', true],
      ['N', undefined, false],
    ]);
  });

  it('scores a block from its history when the window allows it, and traces only the as-of date', () => {
    const s = sessionOf(
      `(filter (cumulative-return {:window 3}) (select-top 1)
  [(group "up" [(if (> (current-price "A") 0) (asset "A") (asset "B"))])
   (group "down" [(asset "B")])])`,
      { A: '100 101 102 103 104', B: '100 99 98 97 96' },
    );
    const trace = s.explain(dayDate(4)).trace();
    const node = only<FilterTrace>(trace.nodes, 'filter');
    expect(node.candidates.map((c) => [c.label, c.basis, c.selected])).toEqual([
      ['group "up" @2:4', 'history', true],
      ['group "down" @3:4', 'history', false],
    ]);
    // One if in the trace (today's), though the history re-evaluated it on four earlier days.
    const up = node.children[0] as TraceNode;
    expect(up.kind).toBe('group');
    expect(up.children.map((c) => c.kind)).toEqual(['if']);
    expect(node.children).toHaveLength(2);
  });

  it('gives the same result as evaluate, whether or not the values were memoised before', () => {
    const strategy = `(filter (moving-average-return {:window 3}) (select-top 1)
  [(group "a" [(weight-equal [(asset "A") (asset "B")])]) (group "b" [(asset "B")])])`;
    const bars = { A: '10 11 12 11 13 14 13', B: '20 19 21 22 21 23 24' };
    const plain = sessionOf(strategy, bars);
    const traced = sessionOf(strategy, bars);
    for (let d = 0; d < 7; d++) {
      const want = plain.evaluate(dayDate(d));
      expect(traced.explain(dayDate(d)).result).toEqual(want);
      // Memoised now: explain recomputes today's blocks to trace them, with the same value.
      const again = traced.explain(dayDate(d));
      expect(again.result).toEqual(want);
      expect(again.trace().nodes).toHaveLength(1);
      expect(traced.evaluate(dayDate(d))).toEqual(want);
    }
  });

  it('records a failure on the form that failed and in the outcome', () => {
    const s = sessionOf('(if (> (current-price "SPY") 100) (asset "SPY"))', { SPY: '99' });
    const trace = s.explain(dayDate(0)).trace();
    const node = only<IfTrace>(trace.nodes, 'if');
    expect(node.failed).toBe('NO_BRANCH');
    expect(node.branch).toBeUndefined();
    expect(trace.outcome).toEqual({
      error: { code: 'NO_BRANCH', message: expect.any(String), at: '1:1' },
    });
  });

  it('prints an indented tree with file:line:col positions', () => {
    const s = sessionOf(
      `(defsymphony "s" {}
  (if (> (current-price "SPY") 100)
      (filter (current-price) (select-top 1) [(asset "SPY") (asset "BND")])
      (asset "BND")))`,
      { SPY: '99 101', BND: '50 50' },
    );
    expect(formatTrace(s.explain(dayDate(1)).trace())).toBe(
      [
        `s.clj as of ${dayDate(1)}`,
        'if  s.clj:2:3',
        '  (current-price "SPY") = 101 > 100 → true: then',
        '  filter current-price 1 (window default), top 1 (asset mode)  s.clj:3:7',
        '    ✓ 1. SPY  101',
        '      2. BND  50',
        '    → SPY 100%',
        'targets: SPY 1',
        '',
      ].join('\n'),
    );
  });

  it('survives JSON and TraceSchema unchanged, as the ledger stores it', () => {
    const s = sessionOf(
      `(filter (cumulative-return {:window 3}) (select-top 1)
  [(group "up" [(if (> (current-price "A") 0) (asset "A") (asset "B"))]) (group "down" [(asset "B")])])`,
      { A: '100 101 102 103 104', B: '100 99 98 97 96' },
    );
    const trace = s.explain(dayDate(4)).trace();
    expect(TraceSchema.parse(JSON.parse(JSON.stringify(trace)))).toEqual(trace);
    expect(() =>
      TraceSchema.parse({ ...trace, nodes: [{ kind: 'loop', at: '1:1', children: [] }] }),
    ).toThrow();
  });
});
