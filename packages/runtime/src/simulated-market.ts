import type { AssetSource, PaperCalendarSource, PriceSource, TradingDaySpec } from '@books/broker';
import { marketDateOf, Price, type Symbol, type TradingDate } from '@books/core';
import type { BarStore } from '@books/market-data';

/**
 * The simulated broker's market, from the bar store: a symbol trades at the close of the
 * simulated day (the last bar on or before the clock's New York date), every symbol with bars is
 * a tradable, fractionable asset, and the calendar is the bars' calendar (09:30–16:00).
 */
export interface SimulatedMarket {
  readonly prices: PriceSource;
  readonly assets: AssetSource;
  /**
   * The calendar, read from the bars when asked (the paper broker asks on first need): every day,
   * or one date's, which a store that can tell a date from one file (CsvBarStore) answers so.
   */
  readonly calendar: PaperCalendarSource;
}

/**
 * The simulated market over `bars`, made without reading anything: each part reads the bars when
 * the broker first needs it. Every read waits for the store's listing first (once listed, kept; a
 * listing that fails is tried again by the next read), so a missing bars directory fails the first
 * broker call that reads the market (an order, a price, an asset, the clock or the calendar) with
 * the store's own clear error ("cannot list the bars directory"), as it failed the broker's
 * construction when the calendar was read then, and never answers as if no symbol had bars.
 */
export function simulatedMarket(bars: BarStore): SimulatedMarket {
  const listed = afterListing(bars);
  return {
    prices: barClosePrices(listed),
    assets: barAssets(listed),
    calendar: { days: () => barCalendar(listed), day: (date) => barDay(listed, date) },
  };
}

/** `bars`, whose reads wait for the store's listing first (see simulatedMarket). */
function afterListing(bars: BarStore): BarStore {
  let listed = false;
  let listing: Promise<void> | undefined;
  const list = async (): Promise<void> => {
    if (listed) return;
    listing ??= bars.symbols().then(
      () => {
        listed = true;
      },
      (e: unknown) => {
        listing = undefined;
        throw e;
      },
    );
    await listing;
  };
  const isTradingDay = bars.isTradingDay?.bind(bars);
  return {
    async bars(symbol, until) {
      await list();
      return bars.bars(symbol, until);
    },
    async calendar(until) {
      await list();
      return bars.calendar(until);
    },
    ...(isTradingDay === undefined
      ? {}
      : {
          async isTradingDay(date: TradingDate) {
            await list();
            return isTradingDay(date);
          },
        }),
    symbols: () => bars.symbols(),
  };
}

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
  return (await bars.calendar()).map(barSession);
}

/** The day of `date` in `barCalendar`, from as few bars as the store can tell it. */
export async function barDay(bars: BarStore, date: TradingDate): Promise<TradingDaySpec | undefined> {
  const open = bars.isTradingDay
    ? await bars.isTradingDay(date)
    : (await bars.calendar(date)).at(-1) === date;
  return open ? barSession(date) : undefined;
}

/** A trading day of the bars: the regular session. */
function barSession(date: TradingDate): TradingDaySpec {
  return { date, open: '09:30', close: '16:00' };
}
