import { rank, tied } from '../src/ranking';

const c = (score: number, key: string) => ({ score, key, item: key });
const keys = (ranked: readonly { key: string }[]) => ranked.map((r) => r.key);

describe('tied', () => {
  it.each([
    [0.1 + 0.2, 0.3, true],
    [20.000000000000004, 19.999999999999996, true],
    [1e12, 1e12 + 1e2, true],
    [1e12, 1e12 + 1e4, false],
    [1e-12, 2e-12, true],
    [0, 1e-9, true],
    [0, 1.1e-9, false],
    [1, 1 + 2e-9, false],
    [-5, -5 - 1e-12, true],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, true],
  ])('%p and %p tie: %p', (a, b, want) => {
    expect(tied(a, b)).toBe(want);
    expect(tied(b, a)).toBe(want);
  });
});

describe('rank', () => {
  it('ranks scores equal in exact arithmetic by the tie-break, not by rounding noise (top)', () => {
    // 0.1 + 0.2 > 0.3 in floats: without the tolerance Z would win.
    expect(keys(rank([c(0.1 + 0.2, 'Z'), c(0.3, 'A')], true, 1))).toEqual(['A']);
  });

  it('ranks scores equal in exact arithmetic by the tie-break, not by rounding noise (bottom)', () => {
    expect(keys(rank([c(0.3, 'Z'), c(0.1 + 0.2, 'A')], false, 1))).toEqual(['A']);
  });

  it('breaks a tie between equal keys by the candidates’ source order', () => {
    const ranked = rank(
      [
        { score: 0.3, key: 'A', item: 'first block' },
        { score: 0.1 + 0.2, key: 'A', item: 'second block' },
      ],
      true,
      2,
    );
    expect(ranked.map((r) => r.item)).toEqual(['first block', 'second block']);
  });

  it('orders distinct scores by score, descending for top and ascending for bottom', () => {
    const cs = [c(1, 'A'), c(3, 'B'), c(2, 'C')];
    expect(keys(rank(cs, true, 3))).toEqual(['B', 'C', 'A']);
    expect(keys(rank(cs, false, 3))).toEqual(['A', 'C', 'B']);
  });

  it('groups a chain of neighbouring ties into one run', () => {
    // 1 ≈ 1+0.6e-9 ≈ 1+1.2e-9, though 1 and 1+1.2e-9 alone do not tie.
    const cs = [c(1 + 1.2e-9, 'C'), c(1 + 0.6e-9, 'B'), c(1, 'A'), c(0.5, 'D')];
    expect(keys(rank(cs, true, 4))).toEqual(['A', 'B', 'C', 'D']);
  });

  it('keeps only the first count and never more than there are', () => {
    const cs = [c(1, 'A'), c(3, 'B'), c(2, 'C')];
    expect(keys(rank(cs, true, 2))).toEqual(['B', 'C']);
    expect(keys(rank(cs, true, Number.POSITIVE_INFINITY))).toEqual(['B', 'C', 'A']);
    expect(rank(cs, true, 0)).toEqual([]);
  });

  it('does not reorder the candidates it is given', () => {
    const cs = [c(1, 'A'), c(3, 'B')];
    rank(cs, true, 1);
    expect(keys(cs)).toEqual(['A', 'B']);
  });
});
