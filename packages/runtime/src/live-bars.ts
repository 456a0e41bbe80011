import type { Broker } from '@books/broker';
import { type Clock, marketDateOf, Symbol } from '@books/core';
import { type BarStore, type LatestTrade, withProvisionalBar } from '@books/market-data';

/**
 * Bars for a live run at the time of day it runs: completed bars up to yesterday plus today's
 * latest trade as today's provisional close (DSL.md's documented choice of the runner). Replays and
 * the simulated broker use completed bars only.
 */
export function liveBars(store: BarStore, broker: Broker, clock: Clock): BarStore {
  const todayOf = () => marketDateOf(clock.now());
  const latest = async (symbol: string): Promise<ReadonlyMap<string, LatestTrade>> => {
    const quotes = await broker.getLatestPrices([Symbol(symbol.toUpperCase())]);
    const quote = [...quotes.values()][0];
    return quote
      ? new Map([[symbol, { symbol, price: quote.price, priceText: quote.price.toString(), at: quote.at }]])
      : new Map();
  };
  return {
    async bars(symbol, until) {
      const today = todayOf();
      if (until !== undefined && until < today) return store.bars(symbol, until);
      return withProvisionalBar(store, await latest(symbol), today).bars(symbol, until);
    },
    async calendar(until) {
      const today = todayOf();
      const days = await store.calendar(until);
      return until !== undefined && until < today ? days : days.includes(today) ? days : [...days, today];
    },
    symbols: () => store.symbols(),
  };
}
