import type {
  Account,
  Asset,
  Broker,
  BrokerOrder,
  BrokerOrderId,
  CalendarDay,
  LatestPrice,
  ListActivitiesQuery,
  MarketClock,
  NonTradeActivity,
  OrderRequest,
  PlacedOrder,
  Position,
} from '@books/broker';
import type { ClientOrderId, Symbol, TradingDate } from '@books/core';

/**
 * Hooks around the broker port: `afterPlace` runs once `placeOrder` has answered (the order is at
 * the broker) and may throw, as a process that dies before it could write down the answer;
 * `afterGetOrder` likewise once an order was read back.
 */
export interface BrokerHooks {
  beforePlace?(request: OrderRequest): void;
  afterPlace?(request: OrderRequest, placed: PlacedOrder): void;
  afterGetOrder?(order: BrokerOrder): void;
}

/** A Broker that delegates every call and runs `hooks` around order placement and lookups. */
export class InterceptedBroker implements Broker {
  constructor(
    private readonly inner: Broker,
    private readonly hooks: BrokerHooks,
  ) {}

  getAccount(): Promise<Account> {
    return this.inner.getAccount();
  }
  getPositions(): Promise<Position[]> {
    return this.inner.getPositions();
  }
  getClock(): Promise<MarketClock> {
    return this.inner.getClock();
  }
  getCalendar(start: TradingDate, end: TradingDate): Promise<CalendarDay[]> {
    return this.inner.getCalendar(start, end);
  }
  getAsset(symbol: Symbol): Promise<Asset> {
    return this.inner.getAsset(symbol);
  }
  async placeOrder(request: OrderRequest): Promise<PlacedOrder> {
    this.hooks.beforePlace?.(request);
    const placed = await this.inner.placeOrder(request);
    this.hooks.afterPlace?.(request, placed);
    return placed;
  }
  async getOrder(id: BrokerOrderId): Promise<BrokerOrder> {
    const order = await this.inner.getOrder(id);
    this.hooks.afterGetOrder?.(order);
    return order;
  }
  async getOrderByClientId(clientOrderId: ClientOrderId): Promise<BrokerOrder> {
    const order = await this.inner.getOrderByClientId(clientOrderId);
    this.hooks.afterGetOrder?.(order);
    return order;
  }
  cancelOrder(id: BrokerOrderId): Promise<void> {
    return this.inner.cancelOrder(id);
  }
  listOpenOrders(): Promise<BrokerOrder[]> {
    return this.inner.listOpenOrders();
  }
  getLatestPrices(symbols: readonly Symbol[]): Promise<Map<Symbol, LatestPrice>> {
    return this.inner.getLatestPrices(symbols);
  }
  listActivities(query?: ListActivitiesQuery): Promise<NonTradeActivity[]> {
    return this.inner.listActivities(query);
  }
}
