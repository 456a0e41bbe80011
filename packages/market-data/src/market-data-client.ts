import type { Price, TradingDate } from '@books/core';

/** One daily bar as the data source wrote it: prices and volume as exact plain decimal text. */
export interface DailyBarRow {
  readonly date: TradingDate;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

/** The latest trade of a symbol: its price exactly, and when it happened. */
export interface LatestTrade {
  readonly symbol: string;
  readonly price: Price;
  /** The price as plain decimal text (no exponent), e.g. "471.33". */
  readonly priceText: string;
  readonly at: Date;
}

/** The port to a market-data source (Alpaca in production). Symbols are ours: `BRK/B`. */
export interface MarketDataClient {
  /**
   * Split- and dividend-adjusted daily bars dated `start`..`end` inclusive (New York trading
   * dates), ascending per symbol. Every requested symbol is a key; one without bars maps to [].
   */
  dailyBars(
    symbols: readonly string[],
    start: TradingDate,
    end: TradingDate,
  ): Promise<ReadonlyMap<string, readonly DailyBarRow[]>>;
  /** The latest trade of each symbol that has one; symbols without a trade are absent. */
  latestTrades(symbols: readonly string[]): Promise<ReadonlyMap<string, LatestTrade>>;
}
