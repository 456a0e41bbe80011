import type { Broker } from '@books/broker';
import type { Money, Symbol, TradingDate } from '@books/core';
import type { AccountSnapshotSource, MarketCalendar } from '../ports';
import type { TradingSession } from '../run-window';

/** The broker's calendar and account, as the coordinator asks for them. */
export class BrokerMarketCalendar implements MarketCalendar, AccountSnapshotSource {
  constructor(private readonly broker: Broker) {}

  async session(date: TradingDate): Promise<TradingSession | undefined> {
    const [day] = await this.broker.getCalendar(date, date);
    return day && day.date === date
      ? { date: day.date, openAt: day.openAt, closeAt: day.closeAt }
      : undefined;
  }

  async account(): Promise<{ readonly equity: Money; readonly cash: Money }> {
    const account = await this.broker.getAccount();
    return { equity: account.equity, cash: account.cash };
  }

  async positions(): Promise<readonly { readonly symbol: Symbol; readonly marketValue: Money }[]> {
    return (await this.broker.getPositions()).map((p) => ({ symbol: p.symbol, marketValue: p.marketValue }));
  }
}
