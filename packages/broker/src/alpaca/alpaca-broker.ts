import type { ClientOrderId, Clock, Logger, Symbol, TradingDate } from '@books/core';
import type { z } from 'zod';
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
  LatestPrice,
  MarketClock,
  OrderRequest,
  PlacedOrder,
  Position,
} from '../port';
import { realSleep, type Sleep } from '../sleep';
import type { AlpacaConfig } from './config';
import { errorFromResponse } from './error-mapping';
import { AlpacaHttp, type HttpResponse } from './http';
import type { KeyProvider } from './keys';
import { toAccount, toAsset, toCalendarDay, toClock, toOrder, toPosition } from './mapping';
import {
  AccountPayload,
  AssetPayload,
  CalendarPayload,
  ClockPayload,
  LatestTradesPayload,
  OrderPayload,
  OrdersPayload,
  PositionsPayload,
  parsePayload,
} from './payloads';
import { RequestBudget } from './request-budget';

export interface AlpacaBrokerDeps {
  readonly keys: KeyProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  /** In [0, 1); backoff jitter. Defaults to Math.random. */
  readonly random?: () => number;
  /** Share one budget between adapters that use the same account; a fresh one otherwise. */
  readonly budget?: RequestBudget;
  readonly fetch?: typeof fetch;
}

/** Alpaca asks for at most this many symbols per latest-trades request in our usage. */
const LATEST_TRADES_CHUNK = 100;

/** The Broker port over Alpaca's Trading API v2 (paper or live) and Market Data v2. */
export class AlpacaBroker implements Broker {
  private readonly http: AlpacaHttp;
  private readonly logger: Logger;

  constructor(
    private readonly config: AlpacaConfig,
    deps: AlpacaBrokerDeps,
  ) {
    const sleep = deps.sleep ?? realSleep;
    this.logger = deps.logger;
    this.http = new AlpacaHttp(config, {
      keys: deps.keys,
      clock: deps.clock,
      sleep,
      random: deps.random ?? Math.random,
      logger: deps.logger,
      budget: deps.budget ?? new RequestBudget(deps.clock, sleep, config.requestsPerMinute),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  async getAccount(): Promise<Account> {
    return toAccount(await this.get('/v2/account', AccountPayload));
  }

  async getPositions(): Promise<Position[]> {
    return (await this.get('/v2/positions', PositionsPayload)).map(toPosition);
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
      return toAsset(await this.get(`/v2/assets/${encodeURIComponent(symbol)}`, AssetPayload, { symbol }));
    } catch (e) {
      if (e instanceof OrderNotFound)
        throw new AssetNotTradable(`unknown asset ${symbol}`, { symbol }, { cause: e });
      throw e;
    }
  }

  async placeOrder(request: OrderRequest): Promise<PlacedOrder> {
    const body = orderBody(request);
    const endpoint = 'POST /v2/orders';
    let response: HttpResponse;
    try {
      response = await this.http.request('POST', `${this.config.tradingUrl}/v2/orders`, {
        mode: 'never-resend',
        body,
      });
    } catch (e) {
      if (!(e instanceof BrokerUnavailable)) throw e;
      return this.resolveUnknownSubmit(request.clientOrderId, e);
    }
    if (response.status >= 200 && response.status < 300) {
      try {
        return { ...toOrder(parsePayload(OrderPayload, response.body, endpoint)), alreadyExisted: false };
      } catch (e) {
        if (!(e instanceof MalformedBrokerPayload)) throw e;
        return this.acceptedButUnreadable(request.clientOrderId, e);
      }
    }
    const error = errorFromResponse(endpoint, response, {
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
    });
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
    return toOrder(await this.get(`/v2/orders/${encodeURIComponent(id)}`, OrderPayload, { orderId: id }));
  }

  async getOrderByClientId(clientOrderId: ClientOrderId): Promise<BrokerOrder> {
    const query = new URLSearchParams({ client_order_id: clientOrderId });
    return toOrder(await this.get(`/v2/orders:by_client_order_id?${query}`, OrderPayload, { clientOrderId }));
  }

  async cancelOrder(id: BrokerOrderId): Promise<void> {
    const path = `/v2/orders/${encodeURIComponent(id)}`;
    const response = await this.http.request('DELETE', `${this.config.tradingUrl}${path}`, {
      mode: 'idempotent',
    });
    if (response.status >= 200 && response.status < 300) return;
    // A retried DELETE may meet its own earlier success: an order already canceled is fine.
    if (response.status === 422) {
      const order = await this.getOrder(id);
      if (order.status === 'canceled' || order.status === 'pending_cancel') return;
    }
    throw errorFromResponse('DELETE /v2/orders/{id}', response, { orderId: id });
  }

  /** At most 500 open orders (Alpaca's page limit); one account never has nearly as many. */
  async listOpenOrders(): Promise<BrokerOrder[]> {
    const query = new URLSearchParams({ status: 'open', limit: '500', direction: 'asc' });
    return (await this.get(`/v2/orders?${query}`, OrdersPayload)).map(toOrder);
  }

  async getLatestPrices(symbols: readonly Symbol[]): Promise<Map<Symbol, LatestPrice>> {
    const prices = new Map<Symbol, LatestPrice>();
    const unique = [...new Set(symbols)];
    for (let i = 0; i < unique.length; i += LATEST_TRADES_CHUNK) {
      const chunk = unique.slice(i, i + LATEST_TRADES_CHUNK);
      const query = new URLSearchParams({ symbols: chunk.join(','), feed: this.config.feed });
      const url = `${this.config.dataUrl}/v2/stocks/trades/latest?${query}`;
      const payload = await this.getUrl(url, 'GET /v2/stocks/trades/latest', LatestTradesPayload, {});
      for (const symbol of chunk) {
        const trade = payload.trades[symbol];
        if (trade) prices.set(symbol, { symbol, price: trade.p, at: trade.t });
      }
    }
    return prices;
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
   * Alpaca accepted the order (2xx) but its payload cannot be read: the order exists, so it must
   * never be reported rejected. Read it by client order id; failing that, a retryable error (the
   * retry's submit meets "client_order_id must be unique" and finds the order).
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
    const response = await this.http.request('GET', url, { mode: 'idempotent' });
    if (response.status >= 200 && response.status < 300) return parsePayload(schema, response.body, endpoint);
    throw errorFromResponse(endpoint, response, context);
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
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    time_in_force: r.timeInForce,
    client_order_id: r.clientOrderId,
    ...size,
    ...(r.limitPrice === undefined ? {} : { limit_price: r.limitPrice.toString() }),
  };
}
