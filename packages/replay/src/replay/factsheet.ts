import { maxDrawdown, TRADING_DAYS_PER_YEAR, totalReturn } from './metrics';

/**
 * Factsheet statistics of a book (or the account) from its daily time-weighted returns
 * (`dailyReturns`), against a benchmark's daily returns over the same days (SPY by default). Pure;
 * float64 like the other statistics; the risk-free rate is zero throughout.
 *
 *   annualised return  (1 + total)^(252 / n) − 1
 *   Sortino            mean(r) ÷ downside deviation × √252, downside deviation = √(Σ min(r, 0)² ÷ n)
 *   Calmar             annualised return ÷ max drawdown
 *   beta               cov(r, b) ÷ var(b)              (sample covariance and variance, n − 1)
 *   alpha              (mean(r) − beta × mean(b)) × 252 (Jensen's alpha, annualised)
 *   R²                 corr(r, b)²
 * A statistic whose denominator is zero, or that needs more days than given, is undefined.
 */

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Compound annual growth of the returns; undefined without returns. */
export function annualisedReturn(returns: readonly number[]): number | undefined {
  if (returns.length === 0) return undefined;
  return (1 + totalReturn(returns)) ** (TRADING_DAYS_PER_YEAR / returns.length) - 1;
}

/** Annualised Sortino ratio (target 0); undefined without a losing day. */
export function sortinoRatio(returns: readonly number[]): number | undefined {
  if (returns.length === 0) return undefined;
  const downside = Math.sqrt(returns.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / returns.length);
  if (downside === 0) return undefined;
  return (mean(returns) / downside) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/** Annualised return ÷ max drawdown; undefined without a drawdown. */
export function calmarRatio(returns: readonly number[]): number | undefined {
  const drawdown = maxDrawdown(returns);
  const annual = annualisedReturn(returns);
  if (annual === undefined || drawdown === 0) return undefined;
  return annual / drawdown;
}

export interface BenchmarkFit {
  readonly beta: number;
  /** Annualised. */
  readonly alpha: number;
  readonly rSquared: number;
}

/**
 * Beta, alpha and R² of `returns` against `benchmark`, day by day (the two series must be the
 * same days); undefined below two days or when either series does not move.
 */
export function benchmarkFit(
  returns: readonly number[],
  benchmark: readonly number[],
): BenchmarkFit | undefined {
  if (returns.length !== benchmark.length)
    throw new Error(`${returns.length} returns against ${benchmark.length} benchmark returns`);
  if (returns.length < 2) return undefined;
  const mr = mean(returns);
  const mb = mean(benchmark);
  let cov = 0;
  let varB = 0;
  let varR = 0;
  returns.forEach((r, i) => {
    const b = benchmark[i] ?? 0;
    cov += (r - mr) * (b - mb);
    varB += (b - mb) ** 2;
    varR += (r - mr) ** 2;
  });
  if (varB === 0 || varR === 0) return undefined;
  const beta = cov / varB;
  return {
    beta,
    alpha: (mr - beta * mb) * TRADING_DAYS_PER_YEAR,
    rSquared: (cov * cov) / (varB * varR),
  };
}

/** A fill next to the price its plan used. */
export interface PlannedFill {
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly fillPrice: number;
  readonly planPrice: number;
}

/**
 * What the fills cost against the prices the plans used: a buy filled above its plan price, or a
 * sell below it, costs (qty × the difference); the opposite is a gain (negative).
 */
export function slippage(fills: readonly PlannedFill[]): number {
  return fills.reduce((sum, f) => sum + (f.side === 'buy' ? 1 : -1) * (f.fillPrice - f.planPrice) * f.qty, 0);
}
