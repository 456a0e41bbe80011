import { type Clock, Money, Price, Symbol, TradingDate } from '@books/core';
import {
  PaperBroker,
  type PaperBrokerOptions,
  type PaperBrokerStore,
  staticAssets,
  staticPrices,
  type TradingDaySpec,
} from '../../src';
import { CONTRACT_WORLD } from './world';

/** CONTRACT_WORLD's trading days, as the paper broker is given them. */
export function contractCalendar(): TradingDaySpec[] {
  return CONTRACT_WORLD.calendar.map((d) => ({ date: TradingDate(d.date), open: d.open, close: d.close }));
}

/** Paper broker options for CONTRACT_WORLD over a given store and clock. */
export function contractPaperOptions(store: PaperBrokerStore, clock: Clock): PaperBrokerOptions {
  let n = 0;
  return {
    store,
    clock,
    initialCash: Money.parse(CONTRACT_WORLD.cash),
    prices: staticPrices(
      new Map(Object.entries(CONTRACT_WORLD.prices).map(([s, p]) => [Symbol(s), Price.parse(p)])),
    ),
    assets: staticAssets(
      CONTRACT_WORLD.assets.map((a) => ({
        symbol: Symbol(a.symbol),
        tradable: a.tradable,
        fractionable: a.fractionable,
        status: a.status ?? 'active',
      })),
    ),
    calendar: contractCalendar(),
    newOrderId: () => `paper-${String(++n).padStart(6, '0')}`,
  };
}

export function contractPaperBroker(
  store: PaperBrokerStore,
  clock: Clock,
  extra: Partial<PaperBrokerOptions> = {},
) {
  return new PaperBroker({ ...contractPaperOptions(store, clock), ...extra });
}
