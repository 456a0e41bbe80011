/**
 * How `filter` ranks its candidates (DSL.md "filter", "Ties (both modes)").
 *
 * Contract:
 * - Two scores a and b are tied when `|a − b| ≤ 1e-9·max(|a|, |b|, 1)`, so scores that are equal
 *   in exact arithmetic but were reached along different float paths rank by the tie-break, never
 *   by rounding noise.
 * - Ranking is done by grouping: order by score (descending for top, ascending for bottom), then
 *   reorder each run of tied scores by the tie-break: `key` ascending (the symbol, or a block's
 *   alphabetically smallest symbol), then the candidate's position among the candidates (source
 *   order). A run is a maximal sequence of neighbours in score order each tied with the one before
 *   it, so a chain a ≈ b ≈ c is one run even when a and c alone would not tie.
 * - The first `count` of that order are kept.
 */

/** Relative tolerance of DSL.md's tie rule. */
export const TIE_TOLERANCE = 1e-9;

export interface Ranked<T> {
  readonly score: number;
  /** Tie-break: the symbol, or the block's alphabetically smallest symbol. */
  readonly key: string;
  readonly item: T;
}

/** Whether two scores tie under DSL.md's relative tolerance. */
export function tied(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= TIE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1);
}

/** The first `count` candidates in rank order; candidates are given in source order. */
export function rank<T>(candidates: readonly Ranked<T>[], top: boolean, count: number): Ranked<T>[] {
  const sign = top ? -1 : 1;
  const order = candidates.map((c, position) => ({ c, position }));
  // Array.prototype.sort is stable: equal scores keep source order until the runs are reordered.
  order.sort((x, y) => (x.c.score === y.c.score ? 0 : sign * (x.c.score < y.c.score ? -1 : 1)));
  let start = 0;
  for (let k = 1; k <= order.length; k++) {
    const prev = order[k - 1] as (typeof order)[number];
    const next = order[k];
    if (next !== undefined && tied(prev.c.score, next.c.score)) continue;
    if (k - start > 1) {
      const run = order.slice(start, k).sort((x, y) => {
        if (x.c.key !== y.c.key) return x.c.key < y.c.key ? -1 : 1;
        return x.position - y.position;
      });
      order.splice(start, k - start, ...run);
    }
    start = k;
  }
  const kept = order.length > count ? order.slice(0, count) : order;
  return kept.map((o) => o.c);
}
