/** Daily closes of one symbol, ascending by date, as the engine receives them. */
export interface CloseSeries {
  /** ISO dates `YYYY-MM-DD`, strictly ascending. */
  readonly dates: readonly string[];
  readonly closes: ArrayLike<number>;
}

/**
 * The port through which the engine reads bars. The engine loads what a strategy needs once,
 * then evaluates synchronously; adapters (CSV directory, S3, …) live outside this package.
 */
export interface BarPort {
  /** Closes of `symbol` (upper-case) on or before `until`; empty when the symbol has none. */
  closes(symbol: string, until: string): Promise<CloseSeries>;
  /** Every date on or before `until` on which any symbol has a bar, ascending. */
  calendar(until: string): Promise<readonly string[]>;
}

/** A store of daily bars in the shape of `@books/market-data`'s `BarStore` (structural, no import). */
export interface BarsLike {
  bars(symbol: string, until: string): Promise<readonly { readonly date: string; readonly close: number }[]>;
  calendar(until: string): Promise<readonly string[]>;
}

export function barPortFrom(store: BarsLike): BarPort {
  return {
    async closes(symbol, until) {
      const bars = await store.bars(symbol, until);
      return { dates: bars.map((b) => b.date), closes: bars.map((b) => b.close) };
    },
    calendar: (until) => store.calendar(until),
  };
}

/** One symbol's closes aligned to the trading calendar. */
export class SymbolSeries {
  /** Memoised indicator series, keyed by `indicatorKey`. */
  readonly indicators = new Map<number, { at(i: number): number }>();
  constructor(
    readonly closes: Float64Array,
    /** For each calendar day, the index of the symbol's last bar on or before it, or -1. */
    readonly barAt: Int32Array,
  ) {}

  /** r at bar i (p_i / p_{i-1} − 1), NaN for the first bar. */
  returnAt(i: number): number {
    if (i < 1) return Number.NaN;
    return (this.closes[i] as number) / (this.closes[i - 1] as number) - 1;
  }
}

/** The bars one evaluation session reads: immutable, in memory, synchronous. */
export class Market {
  private readonly bySymbol = new Map<string, SymbolSeries>();

  private constructor(readonly calendar: readonly string[]) {}

  /** Builds a market from preloaded closes; the calendar is widened with every bar date. */
  static of(calendar: readonly string[], series: ReadonlyMap<string, CloseSeries>): Market {
    const days = new Set(calendar);
    for (const s of series.values()) for (const d of s.dates) days.add(d);
    const sorted = [...days].sort();
    const market = new Market(sorted);
    const index = new Map(sorted.map((d, i) => [d, i]));
    for (const [symbol, s] of series) {
      const closes = Float64Array.from(s.closes);
      const barAt = new Int32Array(sorted.length).fill(-1);
      let bar = -1;
      let next = 0;
      for (let day = 0; day < sorted.length; day++) {
        while (next < s.dates.length && index.get(s.dates[next] as string) === day) {
          bar = next;
          next++;
        }
        barAt[day] = bar;
      }
      market.bySymbol.set(symbol.toUpperCase(), new SymbolSeries(closes, barAt));
    }
    return market;
  }

  /** Loads the given symbols (and the calendar) up to `until` through the port. */
  static async load(port: BarPort, symbols: Iterable<string>, until: string): Promise<Market> {
    const unique = [...new Set([...symbols].map((s) => s.toUpperCase()))];
    const [calendar, loaded] = await Promise.all([
      port.calendar(until),
      Promise.all(unique.map(async (s) => [s, await port.closes(s, until)] as const)),
    ]);
    return Market.of(calendar, new Map(loaded.filter(([, c]) => c.dates.length > 0)));
  }

  series(symbol: string): SymbolSeries | undefined {
    return this.bySymbol.get(symbol) ?? this.bySymbol.get(symbol.toUpperCase());
  }

  /** Index of the last calendar day on or before `date`, or -1 before the first. */
  dayOf(date: string): number {
    let lo = 0;
    let hi = this.calendar.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.calendar[mid] as string) <= date) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
