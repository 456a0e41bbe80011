import { Decimal } from '@books/core';
import fc from 'fast-check';
import { allocateProRata } from '../src/allocation';

const d = (x: string) => new Decimal(x);
const strs = (xs: readonly Decimal[]) => xs.map((x) => x.toFixed());

describe('allocateProRata (largest remainder)', () => {
  it('splits 10.00 over three equal holders as 3.34, 3.33, 3.33 (the leftover cent to the first tie)', () => {
    expect(strs(allocateProRata(d('10'), [d('1'), d('1'), d('1')], 2))).toEqual(['3.34', '3.33', '3.33']);
  });

  it('gives the leftover cent to the largest remainder, not the largest weight', () => {
    // 1.00 × 15/25 = 0.60, × 7/25 = 0.28, × 3/25 = 0.12: exact, nothing left over.
    expect(strs(allocateProRata(d('1'), [d('15'), d('7'), d('3')], 2))).toEqual(['0.6', '0.28', '0.12']);
    // 0.05 × 2/3 = 0.0333…, × 1/3 = 0.01666…: floors 0.03 + 0.01, the cent left to the 0.00666 remainder.
    expect(strs(allocateProRata(d('0.05'), [d('2'), d('1')], 2))).toEqual(['0.03', '0.02']);
  });

  it('splits a negative total (a charge) with every part negative', () => {
    expect(strs(allocateProRata(d('-1'), [d('1'), d('2')], 2))).toEqual(['-0.33', '-0.67']);
  });

  it('splits whole shares with places 0', () => {
    // 3 shares over exact 1.6 and 1.6: floors 1 + 1, the third to the first of the tie.
    expect(strs(allocateProRata(d('3'), [d('1.6'), d('1.6')], 0))).toEqual(['2', '1']);
  });

  it('refuses a total finer than its step, and weights that sum to nothing', () => {
    expect(() => allocateProRata(d('0.005'), [d('1')], 2)).toThrow(RangeError);
    expect(() => allocateProRata(d('1'), [d('0'), d('0')], 2)).toThrow(RangeError);
    expect(() => allocateProRata(d('1'), [d('-1'), d('2')], 2)).toThrow(RangeError);
  });

  it('always sums to the total to the cent, each part within a cent of its exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
        (cents, ws) => {
          fc.pre(ws.some((w) => w > 0));
          const total = new Decimal(cents).dividedBy(100);
          const weights = ws.map((w) => new Decimal(w));
          const parts = allocateProRata(total, weights, 2);
          const sum = parts.reduce((a, p) => a.plus(p), new Decimal(0));
          expect(sum.eq(total)).toBe(true);
          const wsum = weights.reduce((a, w) => a.plus(w), new Decimal(0));
          parts.forEach((p, i) => {
            const exact = total.times(weights[i] as Decimal).dividedBy(wsum);
            expect(p.minus(exact).abs().lt('0.01')).toBe(true);
          });
        },
      ),
    );
  });
});
