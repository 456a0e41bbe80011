import {
  annualisedReturn,
  benchmarkFit,
  calmarRatio,
  slippage,
  sortinoRatio,
} from '../../src/replay/factsheet';

describe('factsheet statistics', () => {
  it('annualises the compounded return over 252 trading days', () => {
    // 126 days of +0.1%: (1.001^126)^(252/126) − 1 = 1.001^252 − 1.
    expect(annualisedReturn(Array(126).fill(0.001))).toBeCloseTo(1.001 ** 252 - 1, 12);
    expect(annualisedReturn([])).toBeUndefined();
  });

  it('divides the mean return by the downside deviation for Sortino', () => {
    // mean = (0.02 − 0.01 + 0.03 − 0.02) / 4 = 0.005; downside = √((0.01² + 0.02²) / 4) = √0.000125.
    const expected = (0.005 / Math.sqrt(0.000125)) * Math.sqrt(252);
    expect(sortinoRatio([0.02, -0.01, 0.03, -0.02])).toBeCloseTo(expected, 10);
  });

  it('has no Sortino without a losing day', () => {
    expect(sortinoRatio([0.01, 0, 0.02])).toBeUndefined();
  });

  it('divides the annualised return by the max drawdown for Calmar', () => {
    // Index 1.1 then 0.99: drawdown 0.1; total −1%, annualised 0.99^(252/2) − 1.
    expect(calmarRatio([0.1, -0.1])).toBeCloseTo((0.99 ** 126 - 1) / 0.1, 12);
    expect(calmarRatio([0.01, 0.02])).toBeUndefined();
  });

  it('finds beta 2, alpha 0 and R² 1 for a book that moves twice the benchmark', () => {
    const benchmark = [0.01, -0.02, 0.015, 0.005];
    const fit = benchmarkFit(
      benchmark.map((b) => 2 * b),
      benchmark,
    );
    expect(fit?.beta).toBeCloseTo(2, 12);
    expect(fit?.alpha).toBeCloseTo(0, 12);
    expect(fit?.rSquared).toBeCloseTo(1, 12);
  });

  it('gives a constant daily excess over the benchmark as annualised alpha', () => {
    const benchmark = [0.01, -0.02, 0.015, 0.005];
    const fit = benchmarkFit(
      benchmark.map((b) => b + 0.001),
      benchmark,
    );
    expect(fit?.beta).toBeCloseTo(1, 12);
    expect(fit?.alpha).toBeCloseTo(0.252, 12);
  });

  it('computes R² below 1 for returns the benchmark explains in part', () => {
    // r = (1, 2, 3)/100 against b = (1, 3, 2)/100: cov = 0.5e-4, var = 1e-4 each, corr = 0.5.
    const fit = benchmarkFit([0.01, 0.02, 0.03], [0.01, 0.03, 0.02]);
    expect(fit?.beta).toBeCloseTo(0.5, 12);
    expect(fit?.rSquared).toBeCloseTo(0.25, 12);
    // alpha = (0.02 − 0.5 × 0.02) × 252 = 2.52.
    expect(fit?.alpha).toBeCloseTo(2.52, 10);
  });

  it('has no fit against a benchmark that does not move, and refuses series of different days', () => {
    expect(benchmarkFit([0.01, 0.02], [0.01, 0.01])).toBeUndefined();
    expect(() => benchmarkFit([0.01], [0.01, 0.02])).toThrow(/1 returns against 2/);
  });

  it('counts a buy above its plan price and a sell below it as slippage, the opposite as a gain', () => {
    expect(
      slippage([
        { side: 'buy', qty: 10, fillPrice: 100.5, planPrice: 100 }, // costs 5
        { side: 'sell', qty: 4, fillPrice: 49, planPrice: 50 }, // costs 4
        { side: 'buy', qty: 2, fillPrice: 19, planPrice: 20 }, // gains 2
      ]),
    ).toBeCloseTo(7, 12);
  });
});
