import { Decimal } from '@books/core';

/**
 * The one pro-rata rule (largest remainder, Hamilton): splits `total` across `weights` in steps of
 * `10^-places` (2: cents, 0: whole shares) so that the parts sum to `total` exactly.
 *
 * Contract: weights are ≥ 0 with a positive sum; `total` is a multiple of the step (else
 * RangeError). Each part is first its exact share rounded towards zero; the steps left over go one
 * each to the largest remainders, ties to the earlier weight (so the result is deterministic for a
 * given order). A negative total is split as its magnitude and negated, so every part has the
 * total's sign. Σ parts = total, and each part differs from its exact share by less than one step.
 */
export function allocateProRata(total: Decimal, weights: readonly Decimal[], places: number): Decimal[] {
  if (weights.some((w) => w.lt(0))) throw new RangeError('pro-rata weights must not be negative');
  const sum = weights.reduce((a, w) => a.plus(w), new Decimal(0));
  if (!sum.gt(0)) throw new RangeError('pro-rata weights must have a positive sum');
  if (!total.toDecimalPlaces(places).eq(total))
    throw new RangeError(`${total.toFixed()} is not a multiple of 10^-${places}`);
  if (total.lt(0)) return allocateProRata(total.negated(), weights, places).map((p) => p.negated());
  const step = new Decimal(10).pow(-places);
  const exact = weights.map((w) => total.times(w).dividedBy(sum));
  const parts = exact.map((e) => e.toDecimalPlaces(places, Decimal.ROUND_DOWN));
  let left = total
    .minus(parts.reduce((a, p) => a.plus(p), new Decimal(0)))
    .dividedBy(step)
    .toNumber();
  const order = exact
    .map((e, i) => ({ i, remainder: e.minus(parts[i] as Decimal) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as Decimal).plus(step);
    left -= 1;
  }
  return parts;
}
