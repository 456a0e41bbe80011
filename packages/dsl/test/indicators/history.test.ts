import { HISTORY_FORMULAS } from '../../src/indicators';

/** A block's daily returns: +10 %, −10 %, +5 %. */
const R = [0.1, -0.1, 0.05];

describe('block history formulas', () => {
  it.each([
    ['moving-average-return', 100 * (0.05 / 3)],
    ['cumulative-return', 100 * (1.1 * 0.9 * 1.05 - 1)],
    ['stdev-return', 8.498365855987974],
    ['max-drawdown', 10],
    ['rsi', 71.37280416395578],
  ] as const)('%s of the returns is %d', (name, value) => {
    const formula = HISTORY_FORMULAS[name];
    expect(formula?.(R, 3)).toBeCloseTo(value, 9);
  });

  it('gives rsi 100 to a history without losses', () => {
    expect(HISTORY_FORMULAS.rsi?.([0.01, 0, 0.02], 3)).toBe(100);
  });

  it.each([
    'current-price',
    'moving-average-price',
    'exponential-moving-average-price',
    'stdev-price',
  ] as const)('has no history formula for %s (blocks fall back to per-symbol scores)', (name) => {
    expect(HISTORY_FORMULAS[name]).toBeUndefined();
  });
});
