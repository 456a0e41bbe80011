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
  /** The benchmark's closes rebased to the account's and to each book's starting equity. */
  readonly benchmark?: {
    readonly symbol: string;
    readonly account: Series;
    /** Per strategy, in the report's order. */
    readonly books: readonly Series[];
  };
}

/**
 * A benchmark's closes rebased to a starting equity: from the first day the equity is positive
 * and the benchmark has a close (the base), equity_base × close ÷ close_base; undefined before
 * the base and on days without a close. What the equity would be had it held the benchmark.
 */
export function rebased(closes: readonly (string | undefined)[], equity: Series): Series {
  const base = closes.findIndex((c, i) => c !== undefined && Number(c) > 0 && (equity[i] ?? 0) > 0);
  if (base < 0) return closes.map(() => undefined);
  const start = (equity[base] ?? 0) / Number(closes[base]);
  return closes.map((c, i) => (i < base || c === undefined ? undefined : start * Number(c)));
}

export function chartSeries(data: Pick<ReportData, 'days' | 'strategies' | 'benchmark'>): ChartSeries {
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
  const b = data.benchmark;
  return {
    dates: data.days.map((d) => d.date),
    account: { equity: accountEquity, drawdown: accountDrawdown(accountEquity) },
    books,
    unallocated,
    ...(b
      ? {
          benchmark: {
            symbol: b.symbol,
            account: rebased(b.closes, accountEquity),
            books: books.map((book) => rebased(b.closes, book.equity)),
          },
        }
      : {}),
  };
}
