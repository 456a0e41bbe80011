import { marketDateOf, type TradingDate } from '@books/core';
import type { Bar, BarStore } from './bar-store';
import type { LatestTrade } from './market-data-client';

/**
 * The live view of `store` at the run time of day: the completed bars up to yesterday plus, for a
 * symbol that has no completed bar for `today`, a provisional bar for `today` whose close is the
 * symbol's latest trade price (exact text in `closeText`; open, high and low equal the close,
 * volume 0 — only the close is meaningful).
 *
 * Only a trade made on `today` (New York date) makes a provisional bar: a stale trade does not
 * pretend to be today's price. `today` joins the calendar when any trade was made on it.
 * Replays and backtests use the plain store: they see completed bars only.
 */
export function withProvisionalBar(
  store: BarStore,
  latestTrades: ReadonlyMap<string, LatestTrade>,
  today: TradingDate,
): BarStore {
  const todays = new Map<string, LatestTrade>();
  for (const [symbol, trade] of latestTrades)
    if (marketDateOf(trade.at) === today && trade.price.isPositive()) todays.set(symbol.toUpperCase(), trade);

  return {
    async bars(symbol: string, until?: string): Promise<readonly Bar[]> {
      const completed = await store.bars(symbol, until);
      if (until !== undefined && until < today) return completed;
      const last = completed.at(-1);
      if (last !== undefined && last.date >= today) return completed;
      const trade = todays.get(symbol.toUpperCase());
      if (trade === undefined) return completed;
      const price = Number(trade.priceText);
      return [
        ...completed,
        {
          date: today,
          open: price,
          high: price,
          low: price,
          close: price,
          closeText: trade.priceText,
          volume: 0,
        },
      ];
    },

    async calendar(until?: string): Promise<readonly TradingDate[]> {
      const days = await store.calendar(until);
      if ((until !== undefined && until < today) || todays.size === 0 || days.includes(today)) return days;
      return [...days, today].sort();
    },

    symbols(): Promise<readonly string[]> {
      return store.symbols();
    },
  };
}
