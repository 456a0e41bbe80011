import type { AssetSource, PriceSource, TradingDaySpec } from '@books/broker';
import { marketDateOf, Price, type Symbol } from '@books/core';
import type { BarStore } from '@books/market-data';

/**
 * The simulated broker's market, from the bar store: a symbol trades at the close of the
 * simulated day (the last bar on or before the clock's New York date), every symbol with bars is
 * a tradable, fractionable asset, and the calendar is the bars' calendar (09:30–16:00).
 */
export function barClosePrices(bars: BarStore): PriceSource {
  // The close last read per symbol, by day: the simulated clock stands still within a day, when
  // every valuation of the account asks for it again.
  const read = new Map<string, { readonly day: string; readonly price: Price | undefined }>();
  return {
    async latestPrice(symbol: Symbol, at: Date) {
      const day = marketDateOf(at);
      const known = read.get(symbol);
      if (known?.day === day) return known.price;
      const series = await bars.bars(symbol, day);
      const last = series[series.length - 1];
      const price = last ? Price.parse(last.closeText, `${symbol} close on ${last.date}`) : undefined;
      read.set(symbol, { day, price });
      return price;
    },
  };
}

export function barAssets(bars: BarStore): AssetSource {
  return {
    async asset(symbol: Symbol) {
      const series = await bars.bars(symbol);
      return series.length > 0 ? { symbol, status: 'active', tradable: true, fractionable: true } : undefined;
    },
  };
}

export async function barCalendar(bars: BarStore): Promise<TradingDaySpec[]> {
  return (await bars.calendar()).map((date) => ({ date, open: '09:30', close: '16:00' }));
}
