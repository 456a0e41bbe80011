import type { ReportData } from './model';

/**
 * The chart series of a report, as float64 (plotting, like the replay's statistics, is not
 * accounting; the decimals stay in the tables). One value per day of the report; `undefined`
 * where a series has no value that day (a book not funded yet).
 */

export type Series = readonly (number | undefined)[];

/** Fall of the account's equity from its running peak, as a positive fraction (0.1 = 10% down). */
export function accountDrawdown(equities: readonly number[]): Series {
  let peak = 0;
  return equities.map((e) => {
    peak = Math.max(peak, e);
    return peak > 0 ? (peak - e) / peak : undefined;
  });
}

/**
 * Fall of a book's growth index Π(1 + r) from its running peak. The daily return is
 * time-weighted, as in replay/metrics.ts: capital transferred in that day (`flow`) is not
 * performance, and the base is the previous close's equity, or the flow on the day the book is
 * funded. Days before the book first has a positive base have no drawdown.
 */
export function bookDrawdown(points: readonly { equity: number; flow: number }[]): Series {
  let previous = 0;
  let index = 1;
  let peak = 1;
  let funded = false;
  return points.map((p) => {
    const base = previous > 0 ? previous : p.flow;
    if (base > 0) {
      funded = true;
      index *= 1 + (p.equity - previous - p.flow) / base;
      peak = Math.max(peak, index);
    }
    previous = p.equity;
    return funded ? (peak - index) / peak : undefined;
  });
}

export interface ChartSeries {
  readonly dates: readonly string[];
  readonly account: { readonly equity: Series; readonly drawdown: Series };
  /** Per strategy, in the report's order. */
  readonly books: readonly {
    readonly strategyId: string;
    readonly equity: Series;
    readonly drawdown: Series;
    /** Book equity ÷ account equity. */
    readonly share: Series;
  }[];
  /** 1 − Σ shares: the account's equity no book holds. */
  readonly unallocated: Series;
}

export function chartSeries(data: Pick<ReportData, 'days' | 'strategies'>): ChartSeries {
  const accountEquity = data.days.map((d) => Number(d.accountEquity));
  const books = data.strategies.map((sid) => {
    const points = data.days.map((d) => {
      const b = d.books[sid];
      return b ? { equity: Number(b.equity), flow: Number(b.flow) } : undefined;
    });
    const present = points.map((p) => p ?? { equity: 0, flow: 0 });
    const drawdown = bookDrawdown(present);
    return {
      strategyId: sid,
      equity: points.map((p) => p?.equity),
      drawdown: drawdown.map((x, i) => (points[i] ? x : undefined)),
      share: points.map((p, i) => {
        const account = accountEquity[i] ?? 0;
        return p && account > 0 ? p.equity / account : undefined;
      }),
    };
  });
  const unallocated = data.days.map((_, i) => {
    if (!((accountEquity[i] ?? 0) > 0)) return undefined;
    return 1 - books.reduce((sum, b) => sum + (b.share[i] ?? 0), 0);
  });
  return {
    dates: data.days.map((d) => d.date),
    account: { equity: accountEquity, drawdown: accountDrawdown(accountEquity) },
    books,
    unallocated,
  };
}
