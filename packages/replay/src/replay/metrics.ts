/**
 * Performance statistics of one book over a replay, from its equity at each day's close. Pure.
 *
 * Statistics are float64 (as DSL indicators are); money totals stay decimals in the caller.
 *
 * A day's return is time-weighted: capital moved into the book during the day (`flow`, the
 * change of Σ transfers; funding on the first day, drift re-targeting later) is not performance.
 * Transfers are made at the run, at that day's prices, so the day's P&L is
 *   pnl_t = equity_t − equity_{t−1} − flow_t
 * and its base is the previous close's equity, or the flow when the book was empty (its first day):
 *   r_t = pnl_t / (equity_{t−1} > 0 ? equity_{t−1} : flow_t)
 * A day without a positive base (not funded yet) has no return and is left out.
 */

export const TRADING_DAYS_PER_YEAR = 252;

export interface EquityPoint {
  /** Book equity at the day's close (lots at mark + cash). */
  readonly equity: number;
  /** Net capital transferred into the book that day (negative out). */
  readonly flow: number;
}

/** The daily time-weighted returns of a series; days without a positive base are left out. */
export function dailyReturns(points: readonly EquityPoint[]): number[] {
  const out: number[] = [];
  let previous = 0;
  for (const p of points) {
    const base = previous > 0 ? previous : p.flow;
    if (base > 0) out.push((p.equity - previous - p.flow) / base);
    previous = p.equity;
  }
  return out;
}

/** The same returns aligned with the points: undefined on a day without a positive base. */
export function dailyReturnsByDay(points: readonly EquityPoint[]): (number | undefined)[] {
  let previous = 0;
  return points.map((p) => {
    const base = previous > 0 ? previous : p.flow;
    const r = base > 0 ? (p.equity - previous - p.flow) / base : undefined;
    previous = p.equity;
    return r;
  });
}

/** Compounded return of the daily returns: Π(1 + r) − 1 (0 for no returns). */
export function totalReturn(returns: readonly number[]): number {
  return returns.reduce((acc, r) => acc * (1 + r), 1) - 1;
}

/** Sample standard deviation (n − 1); undefined below two observations. */
export function standardDeviation(xs: readonly number[]): number | undefined {
  if (xs.length < 2) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sq = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return Math.sqrt(sq / (xs.length - 1));
}

/** Standard deviation of the daily returns × √252. */
export function annualisedVolatility(returns: readonly number[]): number | undefined {
  const sd = standardDeviation(returns);
  return sd === undefined ? undefined : sd * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/** Annualised Sharpe ratio with a zero risk-free rate: mean/sd × √252; undefined when sd is 0. */
export function sharpeRatio(returns: readonly number[]): number | undefined {
  const sd = standardDeviation(returns);
  if (sd === undefined || sd === 0) return undefined;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  return (mean / sd) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/**
 * Largest peak-to-trough fall of the growth index Π(1 + r), as a positive fraction of the peak
 * (0.1 = 10%). The index starts at 1 before the first return.
 */
export function maxDrawdown(returns: readonly number[]): number {
  let index = 1;
  let peak = 1;
  let worst = 0;
  for (const r of returns) {
    index *= 1 + r;
    peak = Math.max(peak, index);
    worst = Math.max(worst, (peak - index) / peak);
  }
  return worst;
}

/** Σ |trade value| ÷ the average of the positive daily equities; undefined without equity. */
export function turnover(tradedValue: number, equities: readonly number[]): number | undefined {
  const funded = equities.filter((e) => e > 0);
  if (funded.length === 0) return undefined;
  const average = funded.reduce((a, b) => a + b, 0) / funded.length;
  return tradedValue / average;
}

export interface PerformanceStats {
  readonly days: number;
  readonly totalReturn: number;
  readonly annualisedVolatility: number | undefined;
  readonly maxDrawdown: number;
  readonly sharpe: number | undefined;
  readonly turnover: number | undefined;
}

export function performance(points: readonly EquityPoint[], tradedValue: number): PerformanceStats {
  const returns = dailyReturns(points);
  return {
    days: returns.length,
    totalReturn: totalReturn(returns),
    annualisedVolatility: annualisedVolatility(returns),
    maxDrawdown: maxDrawdown(returns),
    sharpe: sharpeRatio(returns),
    turnover: turnover(
      tradedValue,
      points.map((p) => p.equity),
    ),
  };
}
