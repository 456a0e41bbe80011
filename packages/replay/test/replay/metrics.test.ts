import {
  annualisedVolatility,
  dailyReturns,
  type EquityPoint,
  maxDrawdown,
  performance,
  sharpeRatio,
  totalReturn,
  turnover,
} from '../../src/replay/metrics';

const funded = (equities: readonly number[], firstFlow: number): EquityPoint[] =>
  equities.map((equity, i) => ({ equity, flow: i === 0 ? firstFlow : 0 }));

describe('daily returns', () => {
  it.each<[string, EquityPoint[], number[]]>([
    [
      'a book funded with 100 that rises to 110 then falls to 99',
      funded([100, 110, 99], 100),
      [0, 0.1, -0.1],
    ],
    [
      'a transfer of 100 into the book is not a gain',
      [
        { equity: 100, flow: 100 },
        { equity: 210, flow: 100 },
        { equity: 231, flow: 0 },
      ],
      [0, 0.1, 0.1],
    ],
    [
      'days before the book is funded have no return',
      [
        { equity: 0, flow: 0 },
        { equity: 99, flow: 100 },
        { equity: 89.1, flow: 0 },
      ],
      [-0.01, -0.1],
    ],
    [
      'a transfer out of the book is not a loss',
      [
        { equity: 200, flow: 200 },
        { equity: 110, flow: -100 },
      ],
      [0, 0.05],
    ],
  ])('%s', (_name, points, expected) => {
    const returns = dailyReturns(points);
    expect(returns).toHaveLength(expected.length);
    for (const [i, r] of returns.entries()) expect(r).toBeCloseTo(expected[i] ?? Number.NaN, 12);
  });
});

describe('summary statistics', () => {
  it.each<[string, number[], number]>([
    ['+10% then −10% compounds to −1%', [0, 0.1, -0.1], -0.01],
    ['+10% twice compounds to +21%', [0.1, 0.1], 0.21],
    ['no returns is no return', [], 0],
  ])('total return: %s', (_name, returns, expected) => {
    expect(totalReturn(returns)).toBeCloseTo(expected, 12);
  });

  it.each<[string, number[], number]>([
    ['a rise to 110 then a fall to 99 draws down 10%', [0, 0.1, -0.1], 0.1],
    ['the deepest fall is measured from the highest peak (1.1 → 0.33)', [0.1, -0.5, 0.2, -0.5], 0.7],
    ['a series that only rises has no drawdown', [0.01, 0.02], 0],
  ])('max drawdown: %s', (_name, returns, expected) => {
    expect(maxDrawdown(returns)).toBeCloseTo(expected, 12);
  });

  it.each<[string, number[], number | undefined]>([
    ['±1% days: sd 0.0141421 × √252', [0.01, -0.01], 0.2244994],
    ['a single day has no volatility', [0.01], undefined],
  ])('annualised volatility: %s', (_name, returns, expected) => {
    const v = annualisedVolatility(returns);
    if (expected === undefined) expect(v).toBeUndefined();
    else expect(v).toBeCloseTo(expected, 6);
  });

  it.each<[string, number[], number | undefined]>([
    ['mean 2%, sd 1.41421% → 1.41421 × √252', [0.01, 0.03], 22.4499443],
    ['a zero mean is a zero Sharpe', [0.01, -0.01], 0],
    ['constant returns have no Sharpe (sd 0)', [0.01, 0.01], undefined],
  ])('Sharpe (rf 0, annualised): %s', (_name, returns, expected) => {
    const s = sharpeRatio(returns);
    if (expected === undefined) expect(s).toBeUndefined();
    else expect(s).toBeCloseTo(expected, 6);
  });

  it.each<[string, number, number[], number | undefined]>([
    ['300 traded over an average equity of 150 (unfunded days ignored)', 300, [100, 200, 0], 2],
    ['no equity at all has no turnover', 50, [0, 0], undefined],
  ])('turnover: %s', (_name, traded, equities, expected) => {
    expect(turnover(traded, equities)).toBe(expected);
  });

  it('combines the statistics of one book', () => {
    const stats = performance(funded([100, 110, 99], 100), 150);
    expect(stats.days).toBe(3);
    expect(stats.totalReturn).toBeCloseTo(-0.01, 12);
    expect(stats.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(stats.turnover).toBeCloseTo(150 / ((100 + 110 + 99) / 3), 12);
  });
});
