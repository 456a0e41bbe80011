import {
  InProcessRequestBudget,
  type KeyProvider,
  type RequestBudget,
  realSleep,
  requestedByAlpacaSymbol,
  type Sleep,
  toAlpacaSymbol,
} from '@books/alpaca';
import type { ClientOrderId, Clock, Logger, Symbol, TradingDate } from '@books/core';
import type * as z from 'zod';
import type { ListActivitiesQuery, NonTradeActivity } from '../activities';
import {
  AssetNotTradable,
  BrokerUnavailable,
  DuplicateClientOrderIdError,
  MalformedBrokerPayload,
  OrderNotFound,
  OrderRejected,
} from '../errors';
import type {
  Account,
  Asset,
  Broker,
  BrokerOrder,
  BrokerOrderId,
  CalendarDay,
  ExternalRow,
  LatestPrice,
  MarketClock,
  OrderRequest,
  PlacedOrder,
  Position,
} from '../port';
import { listAlpacaActivities } from './activities';
import type { AlpacaConfig } from './config';
import { errorFromResponse } from './error-mapping';
import { toAccount, toAsset, toCalendarDay, toClock, toOrder, toPosition } from './mapping';
import {
  AccountPayload,
  AssetPayload,
  CalendarPayload,
  ClockPayload,
  LatestTradesPayload,
  OrderClassPayload,
  OrderPayload,
  PositionClassPayload,
  PositionPayload,
  PROJECT_ASSET_CLASS,
  parsePayload,
  RowsPayload,
} from './payloads';
import { BrokerTransport, lenientBody, readBody } from './transport';

export interface AlpacaBrokerDeps {
  readonly keys: KeyProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  /** In [0, 1); backoff jitter. Defaults to Math.random. */
  readonly random?: () => number;
  /** The account's budget (deployed: the shared one of every function); a fresh in-process one otherwise. */
  readonly budget?: RequestBudget;
  /** Names the calling function in the User-Agent header. */
  readonly userAgent?: string;
  readonly fetch?: typeof fetch;
}

/** Alpaca asks for at most this many symbols per latest-trades request in our usage. */
const LATEST_TRADES_CHUNK = 100;
/** Replacements followed from one order before the chain is called malformed. */
const MAX_REPLACEMENTS = 10;

/** The rows of a listing: the project's, and those of classes it does not trade. */
export interface Listing<T> {
  readonly rows: T[];
  readonly external: ExternalRow[];
}

/**
 * The Broker port over Alpaca's Trading API v2 (paper or live) and Market Data v2. Symbols go
 * through the one mapping of @books/alpaca (`BRK/B` ↔ `BRK.B`) both ways.
 */
export class AlpacaBroker implements Broker {
  private readonly http: BrokerTransport;
  private readonly logger: Logger;

  constructor(
    private readonly config: AlpacaConfig,
    deps: AlpacaBrokerDeps,
  ) {
    const sleep = deps.sleep ?? realSleep;
    this.logger = deps.logger;
    this.http = new BrokerTransport(config, {
      keys: deps.keys,
      clock: deps.clock,
      sleep,
      random: deps.random ?? Math.random,
      logger: deps.logger,
      budget: deps.budget ?? new InProcessRequestBudget(deps.clock, sleep, config.requestsPerMinute),
      ...(deps.userAgent ? { userAgent: deps.userAgent } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  async getAccount(): Promise<Account> {
    return toAccount(await this.get('/v2/account', AccountPayload));
  }

  async getPositions(): Promise<Position[]> {
    const listing = await this.listPositions();
    this.reportExternal('GET /v2/positions', listing.external);
    return listing.rows;
  }

  /** The position and open-order rows of classes the books never trade (options, crypto, multi-leg). */
  async listExternalRows(): Promise<readonly ExternalRow[]> {
    const [positions, orders] = await Promise.all([this.listPositions(), this.listOpenOrderRows()]);
    return [...positions.external, ...orders.external];
  }

  /** Every position row: US equities read as positions, other asset classes as external rows. */
  async listPositions(): Promise<Listing<Position>> {
    const endpoint = 'GET /v2/positions';
    const rows = await this.get('/v2/positions', RowsPayload);
    const listing: Listing<Position> = { rows: [], external: [] };
    rows.forEach((row, i) => {
      const cls = parsePayload(PositionClassPayload, row, endpoint, `${i}.`);
      if (cls.asset_class === PROJECT_ASSET_CLASS)
        listing.rows.push(toPosition(parsePayload(PositionPayload, row, endpoint, `${i}.`)));
      else listing.external.push({ kind: 'position', assetClass: cls.asset_class, symbol: cls.symbol ?? '' });
    });
    return listing;
  }

  async getClock(): Promise<MarketClock> {
    return toClock(await this.get('/v2/clock', ClockPayload));
  }

  async getCalendar(start: TradingDate, end: TradingDate): Promise<CalendarDay[]> {
    const query = new URLSearchParams({ start, end });
    return (await this.get(`/v2/calendar?${query}`, CalendarPayload)).map(toCalendarDay);
  }

  async getAsset(symbol: Symbol): Promise<Asset> {
    try {
      const path = `/v2/assets/${encodeURIComponent(toAlpacaSymbol(symbol))}`;
      return toAsset(await this.get(path, AssetPayload, { symbol }));
    } catch (e) {
      if (e instanceof OrderNotFound)
        throw new AssetNotTradable(`unknown asset ${symbol}`, { symbol }, { cause: e });
      throw e;
    }
  }

  async placeOrder(request: OrderRequest): Promise<PlacedOrder> {
    const body = orderBody(request);
    const endpoint = 'POST /v2/orders';
    let response: { status: number; text: string };
    try {
      response = await this.http.send('POST', `${this.config.tradingUrl}/v2/orders`, {
        mode: 'never-resend',
        body,
      });
    } catch (e) {
      if (!(e instanceof BrokerUnavailable)) throw e;
      return this.resolveUnknownSubmit(request.clientOrderId, e);
    }
    if (response.status >= 200 && response.status < 300) {
      try {
        const payload = readBody(endpoint, response.status, response.text);
        return { ...toOrder(parsePayload(OrderPayload, payload, endpoint)), alreadyExisted: false };
      } catch (e) {
        if (!(e instanceof MalformedBrokerPayload)) throw e;
        return this.acceptedButUnreadable(request.clientOrderId, e);
      }
    }
    const error = errorFromResponse(
      endpoint,
      { status: response.status, body: lenientBody(response.text) },
      { clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side },
    );
    if (error instanceof DuplicateClientOrderIdError) {
      this.logger.info(
        { clientOrderId: request.clientOrderId },
        'order already placed; returning the existing order',
      );
      return { ...(await this.getOrderByClientId(request.clientOrderId)), alreadyExisted: true };
    }
    throw error;
  }

  async getOrder(id: BrokerOrderId): Promise<BrokerOrder> {
    return this.followReplacements(await this.readOrder(id));
  }

  async getOrderByClientId(clientOrderId: ClientOrderId): Promise<BrokerOrder> {
    const query = new URLSearchParams({ client_order_id: clientOrderId });
    const order = await this.get(`/v2/orders:by_client_order_id?${query}`, OrderPayload, { clientOrderId });
    return this.followReplacements(order);
  }

  async cancelOrder(id: BrokerOrderId): Promise<void> {
    const path = `/v2/orders/${encodeURIComponent(id)}`;
    const response = await this.http.send('DELETE', `${this.config.tradingUrl}${path}`, {
      mode: 'idempotent',
    });
    if (response.status >= 200 && response.status < 300) return;
    // A retried DELETE may meet its own earlier success: an order already canceled is fine.
    if (response.status === 422) {
      const order = toOrder(await this.readOrder(id));
      if (order.status === 'canceled' || order.status === 'pending_cancel') return;
    }
    throw errorFromResponse(
      'DELETE /v2/orders/{id}',
      { status: response.status, body: lenientBody(response.text) },
      { orderId: id },
    );
  }

  async listOpenOrders(): Promise<BrokerOrder[]> {
    const listing = await this.listOpenOrderRows();
    this.reportExternal('GET /v2/orders', listing.external);
    return listing.rows;
  }

  /**
   * Every open order row: US-equity orders read as orders; orders of other asset classes and
   * multi-leg orders as external rows. At most 500 (Alpaca's page limit); one account never has
   * nearly as many.
   */
  async listOpenOrderRows(): Promise<Listing<BrokerOrder>> {
    const endpoint = 'GET /v2/orders';
    const query = new URLSearchParams({ status: 'open', limit: '500', direction: 'asc' });
    const rows = await this.get(`/v2/orders?${query}`, RowsPayload);
    const listing: Listing<BrokerOrder> = { rows: [], external: [] };
    rows.forEach((row, i) => {
      const cls = parsePayload(OrderClassPayload, row, endpoint, `${i}.`);
      const assetClass = cls.asset_class ?? PROJECT_ASSET_CLASS;
      if (assetClass === PROJECT_ASSET_CLASS && cls.order_class !== 'mleg')
        listing.rows.push(toOrder(parsePayload(OrderPayload, row, endpoint, `${i}.`)));
      else
        listing.external.push({
          kind: 'order',
          assetClass,
          ...(cls.order_class === undefined ? {} : { orderClass: cls.order_class }),
          symbol: cls.symbol ?? '',
          ...(cls.id === undefined ? {} : { id: cls.id }),
        });
    });
    return listing;
  }

  async getLatestPrices(symbols: readonly Symbol[]): Promise<Map<Symbol, LatestPrice>> {
    const prices = new Map<Symbol, LatestPrice>();
    const unique = [...new Set(symbols)];
    for (let i = 0; i < unique.length; i += LATEST_TRADES_CHUNK) {
      const ours = requestedByAlpacaSymbol(unique.slice(i, i + LATEST_TRADES_CHUNK));
      const query = new URLSearchParams({ symbols: [...ours.keys()].join(','), feed: this.config.feed });
      const url = `${this.config.dataUrl}/v2/stocks/trades/latest?${query}`;
      const payload = await this.getUrl(url, 'GET /v2/stocks/trades/latest', LatestTradesPayload, {});
      for (const [alpacaSymbol, symbol] of ours) {
        const trade = payload.trades[alpacaSymbol];
        if (trade) prices.set(symbol, { symbol, price: trade.p, at: trade.t });
      }
    }
    return prices;
  }

  async listActivities(query?: ListActivitiesQuery): Promise<NonTradeActivity[]> {
    const activities = await listAlpacaActivities(async (path) => {
      const endpoint = 'GET /v2/account/activities';
      const response = await this.http.send('GET', `${this.config.tradingUrl}${path}`, {
        mode: 'idempotent',
      });
      if (response.status >= 200 && response.status < 300)
        return readBody(endpoint, response.status, response.text);
      throw errorFromResponse(endpoint, { status: response.status, body: lenientBody(response.text) }, {});
    }, query);
    const unsupported = activities.filter((a) => a.kind === 'unsupported');
    if (unsupported.length > 0)
      this.logger.warn(
        { unsupported: unsupported.map((a) => ({ id: a.id, type: a.activityType, reason: a.reason })) },
        `${unsupported.length} account activit(ies) of a kind the project does not model`,
      );
    return activities;
  }

  private async readOrder(id: string): Promise<z.output<typeof OrderPayload>> {
    return this.get(`/v2/orders/${encodeURIComponent(id)}`, OrderPayload, { orderId: id });
  }

  /**
   * A `replaced` order is final and never fills again: the order that replaced it (replaced_by),
   * and any that replaced that one, is the live order.
   */
  private async followReplacements(first: z.output<typeof OrderPayload>): Promise<BrokerOrder> {
    let order = first;
    const seen = new Set<string>([order.id]);
    while (order.status === 'replaced' && order.replaced_by) {
      const next = order.replaced_by;
      if (seen.has(next) || seen.size > MAX_REPLACEMENTS)
        throw new MalformedBrokerPayload('GET /v2/orders/{id}', [
          `replaced_by: the replacements of order ${first.id} do not end (${[...seen, next].join(' → ')})`,
        ]);
      this.logger.info({ orderId: order.id, replacedBy: next }, 'order was replaced; following it');
      seen.add(next);
      order = await this.readOrder(next);
    }
    return toOrder(order);
  }

  /** Rows the project does not trade are left out of a listing; said once per listing, never silently. */
  private reportExternal(endpoint: string, external: readonly ExternalRow[]): void {
    if (external.length === 0) return;
    this.logger.warn(
      { endpoint, external },
      `${external.length} row(s) of asset or order classes the project does not trade left out`,
    );
  }

  /**
   * The submit may or may not have reached Alpaca. Never resend: ask by client order id. Found →
   * it was placed. Not found → it was not; the caller may retry with the same client order id.
   */
  private async resolveUnknownSubmit(
    clientOrderId: ClientOrderId,
    failure: BrokerUnavailable,
  ): Promise<PlacedOrder> {
    this.logger.warn(
      { clientOrderId, reason: failure.message },
      'order submit outcome unknown; looking it up',
    );
    try {
      return { ...(await this.getOrderByClientId(clientOrderId)), alreadyExisted: true };
    } catch (e) {
      if (e instanceof OrderNotFound) {
        throw new BrokerUnavailable(
          `order ${clientOrderId} was not placed (${failure.message}); retry with the same client order id`,
          { clientOrderId },
          { cause: failure },
        );
      }
      throw e;
    }
  }

  /**
   * Alpaca accepted the order (2xx) but its body cannot be read (not JSON, or not an order): the
   * order exists, so it must never be reported failed or rejected. Read it by client order id;
   * failing that, a retryable error (the retry's submit meets "client_order_id must be unique" and
   * finds the order).
   */
  private async acceptedButUnreadable(
    clientOrderId: ClientOrderId,
    malformed: MalformedBrokerPayload,
  ): Promise<PlacedOrder> {
    this.logger.warn(
      { clientOrderId, problems: malformed.problems },
      'order accepted with a malformed payload; looking it up',
    );
    try {
      return { ...(await this.getOrderByClientId(clientOrderId)), alreadyExisted: false };
    } catch (e) {
      throw new BrokerUnavailable(
        `order ${clientOrderId} was accepted but its payload is malformed (${malformed.problems.join('; ')}) and it cannot be read back yet`,
        { clientOrderId },
        { cause: e },
      );
    }
  }

  private get<S extends z.ZodType>(
    path: string,
    schema: S,
    context: Readonly<Record<string, unknown>> = {},
  ): Promise<z.output<S>> {
    const pathOnly = path.split('?')[0] ?? path;
    const endpoint = `GET ${pathOnly.replace(/^\/v2\/(assets|orders)\/[^/]+$/, '/v2/$1/{id}')}`;
    return this.getUrl(`${this.config.tradingUrl}${path}`, endpoint, schema, context);
  }

  private async getUrl<S extends z.ZodType>(
    url: string,
    endpoint: string,
    schema: S,
    context: Readonly<Record<string, unknown>>,
  ): Promise<z.output<S>> {
    const response = await this.http.send('GET', url, { mode: 'idempotent' });
    if (response.status >= 200 && response.status < 300)
      return parsePayload(schema, readBody(endpoint, response.status, response.text), endpoint);
    throw errorFromResponse(endpoint, { status: response.status, body: lenientBody(response.text) }, context);
  }
}

function orderBody(r: OrderRequest): Record<string, string> {
  if (r.type === 'limit' && r.limitPrice === undefined)
    throw new OrderRejected(`limit order ${r.clientOrderId} has no limit price`, {
      clientOrderId: r.clientOrderId,
    });
  if (r.type === 'market' && r.limitPrice !== undefined)
    throw new OrderRejected(`market order ${r.clientOrderId} has a limit price`, {
      clientOrderId: r.clientOrderId,
    });
  const size: Record<string, string> =
    r.qty !== undefined ? { qty: r.qty.toString() } : { notional: r.notional.toString() };
  return {
    symbol: toAlpacaSymbol(r.symbol),
    side: r.side,
    type: r.type,
    time_in_force: r.timeInForce,
    client_order_id: r.clientOrderId,
    ...size,
    ...(r.limitPrice === undefined ? {} : { limit_price: r.limitPrice.toString() }),
  };
}
