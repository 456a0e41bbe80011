import type { Brand, ClientOrderId, Money, Price, Quantity, Side, Symbol, TradingDate } from '@books/core';
import type { ListActivitiesQuery, NonTradeActivity } from './activities';

/** The broker's own id of an order (Alpaca: a UUID). */
export type BrokerOrderId = Brand<string, 'BrokerOrderId'>;
export function BrokerOrderId(value: string): BrokerOrderId {
  if (value.length === 0) throw new RangeError('a broker order id must not be empty');
  return value as BrokerOrderId;
}

export interface Account {
  readonly equity: Money;
  readonly cash: Money;
  readonly buyingPower: Money;
}

export interface Position {
  readonly symbol: Symbol;
  /** Signed: negative for a short position. */
  readonly qty: Quantity;
  readonly avgEntryPrice: Price;
  readonly marketValue: Money;
}

export interface MarketClock {
  readonly timestamp: Date;
  readonly isOpen: boolean;
  readonly nextOpen: Date;
  readonly nextClose: Date;
}

export interface CalendarDay {
  readonly date: TradingDate;
  /** Regular session open and close in America/New_York, "HH:MM". */
  readonly open: string;
  readonly close: string;
  readonly openAt: Date;
  readonly closeAt: Date;
  /** The regular session closes before 16:00 ET (e.g. 13:00 on the day after Thanksgiving). */
  readonly earlyClose: boolean;
}

export type AssetStatus = 'active' | 'inactive';

export interface Asset {
  readonly symbol: Symbol;
  readonly status: AssetStatus;
  readonly tradable: boolean;
  readonly fractionable: boolean;
}

export type OrderType = 'market' | 'limit';
/** Order types the broker may report (orders placed by hand included); we only place OrderType. */
export type OrderKind = OrderType | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day';

/** Exactly one of `qty` and `notional`. */
export type OrderSize =
  | { readonly qty: Quantity; readonly notional?: undefined }
  | {
      readonly notional: Money;
      readonly qty?: undefined;
    };

export type OrderRequest = OrderSize & {
  readonly clientOrderId: ClientOrderId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Required for limit orders, absent for market orders. */
  readonly limitPrice?: Price;
};

/** Alpaca's order statuses (Trading API v2). */
export const ORDER_STATUSES = [
  'new',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
  'accepted_for_bidding',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'held',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses after which an order never fills again. */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  'filled',
  'canceled',
  'expired',
  'replaced',
  'rejected',
  'done_for_day',
]);

export function isOpenOrderStatus(status: OrderStatus): boolean {
  return !TERMINAL_ORDER_STATUSES.has(status);
}

export interface BrokerOrder {
  readonly id: BrokerOrderId;
  readonly clientOrderId: ClientOrderId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly type: OrderKind;
  readonly status: OrderStatus;
  readonly qty: Quantity | null;
  readonly notional: Money | null;
  readonly limitPrice: Price | null;
  readonly filledQty: Quantity;
  readonly filledAvgPrice: Price | null;
  /** When the broker took the order: Alpaca's submitted_at, or its created_at while not yet routed. */
  readonly submittedAt: Date;
  readonly filledAt: Date | null;
}

/**
 * The result of `placeOrder`. `alreadyExisted`: the order came from a lookup by client order id
 * (placed by an earlier call, or by this call whose answer was lost), not from this call's answer.
 */
export interface PlacedOrder extends BrokerOrder {
  readonly alreadyExisted: boolean;
}

/**
 * A row of the account that the project does not trade and never owns: a position or an order of
 * another asset class (an option, a crypto pair) or a multi-leg order. Kept out of `getPositions`
 * and `listOpenOrders` by its class, and reported beside them; no book explains it.
 */
export interface ExternalRow {
  readonly kind: 'position' | 'order';
  /** Alpaca's asset_class ("us_option", "crypto", …; "" on a multi-leg order). */
  readonly assetClass: string;
  /** Orders only: Alpaca's order_class ("mleg", …). */
  readonly orderClass?: string;
  /** The broker's symbol as written ("AAPL250620C00100000", "ETH/USD"; "" on a multi-leg order). */
  readonly symbol: string;
  /** Orders only: the broker's order id. */
  readonly id?: string;
}

export interface LatestPrice {
  readonly symbol: Symbol;
  readonly price: Price;
  readonly at: Date;
}

/**
 * One broker account. Errors are the classes of `errors.ts`; `retryable` tells the caller whether
 * the same request may be sent again (with the same client order id for orders).
 */
export interface Broker {
  getAccount(): Promise<Account>;
  /** The account's positions of the asset class the project trades (US equities). */
  getPositions(): Promise<Position[]>;
  getClock(): Promise<MarketClock>;
  /** Trading days from `start` to `end`, both inclusive. */
  getCalendar(start: TradingDate, end: TradingDate): Promise<CalendarDay[]>;
  /** Throws AssetNotTradable when the broker does not know the symbol. */
  getAsset(symbol: Symbol): Promise<Asset>;
  /**
   * Places the order once. A client order id the broker already holds is not an error: the
   * existing order comes back with `alreadyExisted: true` and nothing is placed or filled again.
   */
  placeOrder(request: OrderRequest): Promise<PlacedOrder>;
  /**
   * Throws OrderNotFound. An order the broker `replaced` is followed (replaced_by) to the order
   * that replaced it, which is the live one.
   */
  getOrder(id: BrokerOrderId): Promise<BrokerOrder>;
  /** Throws OrderNotFound. Follows a `replaced` order like `getOrder`. */
  getOrderByClientId(clientOrderId: ClientOrderId): Promise<BrokerOrder>;
  /** Idempotent for an order that is already canceled; throws OrderNotCancelable when it filled. */
  cancelOrder(id: BrokerOrderId): Promise<void>;
  /** Open orders of the asset class the project trades (US equities, not multi-leg). */
  listOpenOrders(): Promise<BrokerOrder[]>;
  /**
   * Rows of asset or order classes the books never trade (options, crypto, multi-leg orders): kept
   * out of positions and orders, and listed here so reconciliation reports them as external
   * (a broker that has none need not implement it).
   */
  listExternalRows?(): Promise<readonly ExternalRow[]>;
  /** Symbols without a price are absent from the map. */
  getLatestPrices(symbols: readonly Symbol[]): Promise<Map<Symbol, LatestPrice>>;
  /**
   * The account's non-trade activities (dividends, splits, cash movements, …; see activities.ts),
   * oldest first, every page read. A row the project does not model is `unsupported`, never an error.
   */
  listActivities(query?: ListActivitiesQuery): Promise<NonTradeActivity[]>;
}
