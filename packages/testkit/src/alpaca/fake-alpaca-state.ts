import { type Clock, canonical, Decimal, marketTimeToInstant } from '@books/core';
import * as z from 'zod';
import { nyIso } from './eastern';

export interface FakeAsset {
  readonly symbol: string;
  readonly tradable: boolean;
  readonly fractionable: boolean;
  readonly status?: 'active' | 'inactive';
}

export interface FakeCalendarDay {
  readonly date: string;
  readonly open: string;
  readonly close: string;
}

export interface FakeWorld {
  readonly cash: string;
  readonly assets: readonly FakeAsset[];
  /** Latest trade price per symbol, as decimal text; served as a raw JSON number. */
  readonly prices: Readonly<Record<string, string>>;
  readonly calendar: readonly FakeCalendarDay[];
  /**
   * Alpaca checks a market buy as if it were a limit order this far above the price (2.5% to 4%
   * on a cash account); the buying power it holds back is that value. Default '0.025'.
   */
  readonly marketBuyBuffer?: string;
  /** Alpaca answers a potential wash trade with 403 40310000 or with 422 42210000. Default 403. */
  readonly washTradeStatus?: 403 | 422;
}

/**
 * What happens to one order after Alpaca accepted it, in the fake's time (its clock, plus the
 * time `tick` added). Without a script an order behaves as before: a market or marketable limit
 * order fills at once.
 */
export interface FakeOrderScript {
  /** The status the POST answers with. Default 'new'. */
  readonly initial?: 'new' | 'accepted' | 'pending_new';
  /** Steps in order, each due `afterMs` after the order was accepted. */
  readonly steps: readonly FakeOrderStep[];
  /**
   * What a DELETE does: by default the order is canceled at once; with `afterMs` it is
   * `pending_cancel` first, then `canceled` — or `filled` when the fill wins the race.
   */
  readonly onCancel?: { readonly afterMs: number; readonly outcome: 'canceled' | 'filled' };
}

export type FakeOrderStep =
  /** Fills `ratio` of the ordered qty (whole shares on a non-fractionable asset), or all that is left. */
  | { readonly afterMs: number; readonly kind: 'fill'; readonly ratio?: string }
  /** Someone (the operator, by hand) asked to cancel: `pending_cancel`, still fillable. */
  | { readonly afterMs: number; readonly kind: 'pending_cancel' }
  /** The order ends with what it filled: `rejected` is Alpaca's late rejection. */
  | {
      readonly afterMs: number;
      readonly kind: 'end';
      readonly status: 'done_for_day' | 'expired' | 'canceled' | 'rejected';
    };

/** Picks the script of each order as it is accepted; undefined: the order fills at once. */
export type FakeOrderPolicy = (order: {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly clientOrderId: string;
  readonly type: 'market' | 'limit';
}) => FakeOrderScript | undefined;

/** An HTTP answer of the fake: status and the exact body text. */
export interface FakeReply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface FakeOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  qty: Decimal | null;
  notional: Decimal | null;
  limitPrice: Decimal | null;
  status: string;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  /** Cash held back for an open buy. */
  reserved: Decimal;
  /** What each share of an open buy holds back (its price, with the market-buy buffer). */
  reservedPerShare: Decimal;
  createdAt: Date;
  /** Null while the order is not routed yet (Alpaca's `pending_new` may carry submitted_at: null). */
  submittedAt: Date | null;
  replacedBy: string | null;
  replaces: string | null;
  replacedAt: Date | null;
  filledAt: Date | null;
  canceledAt: Date | null;
  expiredAt: Date | null;
  failedAt: Date | null;
  script: FakeOrderScript | undefined;
  /** Steps of the script applied so far. */
  stepsDone: number;
  /** When a pending cancel resolves, and how. */
  cancelDue: { at: number; outcome: 'canceled' | 'filled' } | null;
  updatedAt: Date | null;
}

const OrderBody = z.object({
  symbol: z.string().optional(),
  side: z.string().optional(),
  type: z.string().optional(),
  time_in_force: z.string().optional(),
  client_order_id: z.string().optional(),
  qty: z.string().optional(),
  notional: z.string().optional(),
  limit_price: z.string().optional(),
});

const ReplaceBody = z.object({
  qty: z.string().optional(),
  limit_price: z.string().optional(),
  time_in_force: z.string().optional(),
  client_order_id: z.string().optional(),
});

/** A stable UUID-shaped asset id per symbol, as Alpaca's asset ids are UUIDs. */
export function fakeAssetId(symbol: string): string {
  const hex = [...symbol]
    .map((c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
    .join('')
    .padEnd(12, '0');
  return `b0b6dd9d-8b9b-48a9-ba46-${hex.slice(0, 12)}`;
}

const OPEN = new Set(['new', 'accepted', 'pending_new', 'partially_filled', 'pending_cancel']);
const json = (status: number, value: unknown): FakeReply => ({ status, body: JSON.stringify(value) });
const alpacaError = (status: number, code: number, message: string): FakeReply =>
  json(status, { code, message });
const dec = (d: Decimal | null): string | null => (d === null ? null : canonical(d));

/**
 * An in-memory Alpaca account that answers the Trading API v2 and the latest-trades endpoint
 * with the documented JSON shapes and error bodies, and applies Alpaca's order rules: unique
 * client order ids (422, 40010001), wash trades and buying power (403, 40310000), fractionable
 * and tradable assets (422, 42210000). Market orders and marketable limit orders fill at once at
 * the latest price; other limit orders stay open.
 */
export class FakeAlpacaState {
  private cash: Decimal;
  private readonly assets = new Map<string, FakeAsset>();
  private readonly prices = new Map<string, string>();
  private readonly positions = new Map<string, { qty: Decimal; cost: Decimal }>();
  private readonly orders: FakeOrder[] = [];
  /** Rows of classes the adapter does not trade (options, crypto, multi-leg), served as given. */
  private readonly externalPositions: Record<string, unknown>[] = [];
  private readonly externalOrders: Record<string, unknown>[] = [];
  private nextId = 1;
  private policy: FakeOrderPolicy = () => undefined;
  /** Time added to the clock by `tick`: the fake's own time runs ahead of the test's clock. */
  private tickedMs = 0;
  private readonly marketBuyBuffer: Decimal;
  private readonly washTradeStatus: 403 | 422;

  constructor(
    world: FakeWorld,
    private readonly clock: Clock,
    private readonly calendar: readonly FakeCalendarDay[] = world.calendar,
  ) {
    this.cash = new Decimal(world.cash);
    for (const a of world.assets) this.assets.set(a.symbol, a);
    for (const [s, p] of Object.entries(world.prices)) this.prices.set(s, p);
    this.marketBuyBuffer = new Decimal(world.marketBuyBuffer ?? '0.025');
    this.washTradeStatus = world.washTradeStatus ?? 403;
  }

  /** From now on, each accepted order follows the script the policy picks for it. */
  scriptOrders(policy: FakeOrderPolicy): void {
    this.policy = policy;
  }

  /** The fake's time: the clock's, plus what `tick` added. */
  now(): Date {
    return new Date(this.clock.now().getTime() + this.tickedMs);
  }

  /** Moves the fake's time on by `ms` and applies every step of every script now due. */
  tick(ms = 0): void {
    this.tickedMs += ms;
    this.advance();
  }

  /** Applies every scripted step due at the fake's time, in order, order by order. */
  advance(): void {
    const now = this.now().getTime();
    for (const o of this.orders) {
      const steps = o.script?.steps ?? [];
      while (o.stepsDone < steps.length && OPEN.has(o.status)) {
        const step = steps[o.stepsDone];
        if (!step || o.createdAt.getTime() + step.afterMs > now) break;
        o.stepsDone++;
        this.applyStep(o, step, new Date(o.createdAt.getTime() + step.afterMs));
      }
      if (o.cancelDue && o.cancelDue.at <= now && OPEN.has(o.status)) {
        const at = new Date(o.cancelDue.at);
        if (o.cancelDue.outcome === 'filled') this.fillRest(o, at);
        else this.end(o, 'canceled', at);
        o.cancelDue = null;
      }
    }
  }

  private applyStep(o: FakeOrder, step: FakeOrderStep, at: Date): void {
    switch (step.kind) {
      case 'fill': {
        if (step.ratio === undefined) {
          this.fillRest(o, at);
          return;
        }
        const ordered = o.qty ?? new Decimal(0);
        const asset = this.assets.get(o.symbol);
        let qty = ordered.times(step.ratio);
        qty = asset?.fractionable ? qty.toDecimalPlaces(9, Decimal.ROUND_DOWN) : qty.floor();
        qty = Decimal.min(qty, ordered.minus(o.filledQty));
        if (qty.gt(0)) this.fill(o, qty, new Decimal(this.prices.get(o.symbol) ?? '0'), at);
        return;
      }
      case 'pending_cancel':
        o.status = 'pending_cancel';
        return;
      case 'end':
        this.end(o, step.status, at);
        return;
    }
  }

  private fillRest(o: FakeOrder, at: Date): void {
    const rest = (o.qty ?? new Decimal(0)).minus(o.filledQty);
    if (rest.gt(0)) this.fill(o, rest, new Decimal(this.prices.get(o.symbol) ?? '0'), at);
  }

  /** Ends an open order with what it filled; the buying power it held comes back. */
  private end(o: FakeOrder, status: 'done_for_day' | 'expired' | 'canceled' | 'rejected', at: Date): void {
    o.status = status;
    o.reserved = new Decimal(0);
    if (status === 'canceled') o.canceledAt = at;
    if (status === 'expired') o.expiredAt = at;
    if (status === 'rejected') o.failedAt = at;
  }

  setPrice(symbol: string, price: string): void {
    this.prices.set(symbol, price);
  }

  account(): FakeReply {
    const equity = this.equity();
    return json(200, {
      id: '904837e3-3b76-47ec-b432-046db621571b',
      account_number: 'PA0000FAKE',
      status: 'ACTIVE',
      currency: 'USD',
      cash: canonical(this.cash),
      buying_power: canonical(this.buyingPower()),
      non_marginable_buying_power: canonical(this.buyingPower()),
      equity: canonical(equity),
      last_equity: canonical(equity),
      portfolio_value: canonical(equity),
      long_market_value: canonical(equity.minus(this.cash)),
      short_market_value: '0',
      multiplier: '1',
      pattern_day_trader: false,
      trading_blocked: false,
      daytrade_count: 0,
    });
  }

  positionsReply(): FakeReply {
    const out = [...this.positions.entries()]
      .filter(([, p]) => !p.qty.isZero())
      .map(([symbol, p]) => {
        const price = new Decimal(this.prices.get(symbol) ?? '0');
        const avg = p.cost.dividedBy(p.qty);
        return {
          asset_id: fakeAssetId(symbol),
          symbol,
          exchange: 'NASDAQ',
          asset_class: 'us_equity',
          avg_entry_price: canonical(avg),
          // Alpaca writes a short's qty and market value negative, and says `short`.
          qty: canonical(p.qty),
          qty_available: canonical(p.qty),
          side: p.qty.isNegative() ? 'short' : 'long',
          market_value: canonical(p.qty.times(price)),
          cost_basis: canonical(p.cost),
          current_price: canonical(price),
          unrealized_pl: canonical(p.qty.times(price).minus(p.cost)),
          unrealized_plpc: p.cost.isZero()
            ? '0'
            : canonical(p.qty.times(price).minus(p.cost).dividedBy(p.cost.abs())),
          unrealized_intraday_pl: '0',
          unrealized_intraday_plpc: '0',
          lastday_price: canonical(price),
          change_today: '0',
          asset_marginable: true,
        };
      });
    return json(200, [...out, ...this.externalPositions]);
  }

  /** Test hook: a position of `qty` (negative: short) at `avgEntryPrice`, as if traded by hand. */
  setPosition(symbol: string, qty: string, avgEntryPrice: string): void {
    const q = new Decimal(qty);
    this.positions.set(symbol, { qty: q, cost: q.times(avgEntryPrice) });
  }

  /** Test hook: a position row of another asset class (an option, a crypto pair), listed as given. */
  addExternalPosition(row: Record<string, unknown>): void {
    this.externalPositions.push(row);
  }

  /** Test hook: an open order row of another class (option, crypto, multi-leg), listed as given. */
  addExternalOrder(row: Record<string, unknown>): void {
    this.externalOrders.push(row);
  }

  /** Test hook: an open order Alpaca has taken but not routed yet: `pending_new`, submitted_at null. */
  unroute(id: string): void {
    const o = this.orders.find((x) => x.id === id);
    if (!o || !OPEN.has(o.status)) throw new Error(`no open order ${id}`);
    o.status = 'pending_new';
    o.submittedAt = null;
  }

  /**
   * PATCH /v2/orders/{id}: replaces an open order by a new one (a new id and client order id
   * unless given) with the changed qty / limit_price / time_in_force; the old one becomes
   * `replaced` with replaced_by set, the new one names it in `replaces`.
   */
  replaceOrder(id: string, body: unknown): FakeReply {
    const parsed = ReplaceBody.safeParse(body);
    if (!parsed.success) return alpacaError(422, 40010001, 'invalid replace request');
    const o = this.orders.find((x) => x.id === id);
    if (!o) return alpacaError(404, 40410000, 'order not found');
    if (!OPEN.has(o.status) || o.status === 'pending_new')
      return alpacaError(422, 42210000, `order is not replaceable (status ${o.status})`);
    const b = parsed.data;
    const now = this.now();
    const next: FakeOrder = {
      ...o,
      id: `61e69015-8549-4bfd-b9c3-${String(this.nextId++).padStart(12, '0')}`,
      clientOrderId: b.client_order_id ?? `replacement-${this.nextId}`,
      qty: b.qty === undefined ? o.qty : new Decimal(b.qty),
      limitPrice: b.limit_price === undefined ? o.limitPrice : new Decimal(b.limit_price),
      status: 'new',
      createdAt: now,
      submittedAt: now,
      replacedBy: null,
      replaces: o.id,
      replacedAt: null,
      // The replacement's script starts over from its own acceptance.
      stepsDone: 0,
      cancelDue: null,
    };
    o.status = 'replaced';
    o.replacedBy = next.id;
    o.replacedAt = now;
    o.reserved = new Decimal(0);
    this.orders.push(next);
    return json(200, this.orderJson(next));
  }

  clockReply(): FakeReply {
    const now = this.now();
    const sessions = this.calendar.map((d) => ({
      open: marketTimeToInstant(d.date, d.open),
      close: marketTimeToInstant(d.date, d.close),
    }));
    const isOpen = sessions.some((s) => s.open <= now && now < s.close);
    const nextOpen = sessions.find((s) => s.open > now)?.open ?? new Date(now.getTime() + 86_400_000);
    const nextClose = sessions.find((s) => s.close > now)?.close ?? new Date(now.getTime() + 86_400_000);
    return json(200, {
      timestamp: nyIso(now),
      is_open: isOpen,
      next_open: nyIso(nextOpen),
      next_close: nyIso(nextClose),
    });
  }

  calendarReply(start: string | null, end: string | null): FakeReply {
    const days = this.calendar
      .filter((d) => (start === null || d.date >= start) && (end === null || d.date <= end))
      .map((d) => ({
        date: d.date,
        open: d.open,
        close: d.close,
        session_open: '0400',
        session_close: '2000',
        settlement_date: d.date,
      }));
    return json(200, days);
  }

  assetReply(symbol: string): FakeReply {
    const a = this.assets.get(symbol);
    if (!a) return alpacaError(404, 40410000, 'asset not found');
    return json(200, {
      id: fakeAssetId(a.symbol),
      class: 'us_equity',
      exchange: 'NASDAQ',
      symbol: a.symbol,
      name: `${a.symbol} Inc.`,
      status: a.status ?? 'active',
      tradable: a.tradable,
      marginable: true,
      shortable: false,
      easy_to_borrow: false,
      fractionable: a.fractionable,
    });
  }

  latestTradesReply(symbols: readonly string[]): FakeReply {
    // Written by hand so that `p` is the exact decimal text as a JSON number, as Alpaca sends it.
    const entries = symbols
      .filter((s) => this.prices.has(s))
      .map(
        (s) =>
          `${JSON.stringify(s)}:{"t":${JSON.stringify(this.now().toISOString())},"x":"V","p":${this.prices.get(s)},"s":100,"c":["@"],"i":52983525029461,"z":"C"}`,
      );
    return { status: 200, body: `{"trades":{${entries.join(',')}}}` };
  }

  placeOrder(body: unknown): FakeReply {
    const parsed = OrderBody.safeParse(body);
    if (!parsed.success) return alpacaError(422, 40010001, 'invalid order request');
    const b: Readonly<Record<string, string | undefined>> = parsed.data;
    const str = (k: string): string | undefined => b[k];
    const symbol = str('symbol') ?? '';
    const side = str('side');
    const type = str('type');
    const clientOrderId = str('client_order_id') ?? `auto-${this.nextId}`;
    if (side !== 'buy' && side !== 'sell') return alpacaError(422, 40010001, 'side is required');
    if (type !== 'market' && type !== 'limit') return alpacaError(422, 40010001, 'invalid order type');
    if (str('time_in_force') !== 'day') return alpacaError(422, 40010001, 'invalid time_in_force');
    if (this.orders.some((o) => o.clientOrderId === clientOrderId))
      return alpacaError(422, 40010001, 'client_order_id must be unique');
    const asset = this.assets.get(symbol);
    if (!asset) return alpacaError(422, 40010001, `asset "${symbol}" not found`);
    if (!asset.tradable || asset.status === 'inactive')
      return alpacaError(422, 42210000, `asset ${symbol} is not tradable`);
    const qty = str('qty') === undefined ? null : new Decimal(str('qty') ?? '0');
    const notional = str('notional') === undefined ? null : new Decimal(str('notional') ?? '0');
    if ((qty === null) === (notional === null))
      return alpacaError(422, 40010001, 'qty or notional is required');
    const limitPrice = str('limit_price') === undefined ? null : new Decimal(str('limit_price') ?? '0');
    if (type === 'limit' && limitPrice === null) return alpacaError(422, 40010001, 'limit_price is required');
    if (!asset.fractionable && (notional !== null || (qty !== null && !qty.isInteger())))
      return alpacaError(422, 42210000, `asset "${symbol}" is not fractionable`);
    if (this.orders.some((o) => o.symbol === symbol && o.side !== side && OPEN.has(o.status)))
      return this.washTradeStatus === 403
        ? alpacaError(403, 40310000, 'potential wash trade detected. use complex orders')
        : alpacaError(422, 42210000, 'potential wash trade detected. use complex orders');

    const price = new Decimal(this.prices.get(symbol) ?? '0');
    // A market buy is checked, and holds buying power, as a limit a buffer above the price.
    const execPrice =
      type === 'limit' && limitPrice !== null
        ? limitPrice
        : side === 'buy'
          ? price.times(this.marketBuyBuffer.plus(1))
          : price;
    const orderQty =
      qty ?? (notional ?? new Decimal(0)).dividedBy(price).toDecimalPlaces(9, Decimal.ROUND_DOWN);
    if (side === 'buy') {
      const cost = notional ?? orderQty.times(execPrice);
      if (cost.gt(this.buyingPower())) return alpacaError(403, 40310000, 'insufficient buying power');
    } else {
      const held = this.positions.get(symbol)?.qty ?? new Decimal(0);
      const openSells = this.orders
        .filter((o) => o.symbol === symbol && o.side === 'sell' && OPEN.has(o.status))
        .reduce((sum, o) => sum.plus((o.qty ?? new Decimal(0)).minus(o.filledQty)), new Decimal(0));
      const available = held.minus(openSells);
      if (orderQty.gt(available))
        return alpacaError(
          403,
          40310000,
          `insufficient qty available for order (requested: ${canonical(orderQty)}, available: ${canonical(available)})`,
        );
    }

    const script = this.policy({ symbol, side, clientOrderId, type });
    const order: FakeOrder = {
      id: `61e69015-8549-4bfd-b9c3-${String(this.nextId++).padStart(12, '0')}`,
      clientOrderId,
      symbol,
      side,
      type,
      qty: qty ?? (script ? orderQty : null),
      notional,
      limitPrice,
      status: script?.initial ?? 'new',
      filledQty: new Decimal(0),
      filledAvgPrice: null,
      reserved: side === 'buy' ? (notional ?? orderQty.times(execPrice)) : new Decimal(0),
      reservedPerShare: side === 'buy' ? execPrice : new Decimal(0),
      createdAt: this.now(),
      submittedAt: script?.initial === 'pending_new' ? null : this.now(),
      replacedBy: null,
      replaces: null,
      replacedAt: null,
      filledAt: null,
      canceledAt: null,
      expiredAt: null,
      failedAt: null,
      script,
      stepsDone: 0,
      cancelDue: null,
      updatedAt: null,
    };
    this.orders.push(order);
    if (script) {
      this.advance();
      return json(200, this.orderJson(order));
    }
    const marketable =
      type === 'market' ||
      (limitPrice !== null && (side === 'buy' ? limitPrice.gte(price) : limitPrice.lte(price)));
    if (marketable) this.fill(order, orderQty, price);
    return json(200, this.orderJson(order));
  }

  orderById(id: string): FakeReply {
    const o = this.orders.find((x) => x.id === id);
    return o ? json(200, this.orderJson(o)) : alpacaError(404, 40410000, 'order not found');
  }

  orderByClientId(clientOrderId: string): FakeReply {
    const o = this.orders.find((x) => x.clientOrderId === clientOrderId);
    return o ? json(200, this.orderJson(o)) : alpacaError(404, 40410000, 'order not found');
  }

  openOrders(): FakeReply {
    return json(200, [
      ...this.orders.filter((o) => OPEN.has(o.status)).map((o) => this.orderJson(o)),
      ...this.externalOrders,
    ]);
  }

  cancel(id: string): FakeReply {
    const o = this.orders.find((x) => x.id === id);
    if (!o) return alpacaError(404, 40410000, 'order not found');
    if (!OPEN.has(o.status) || o.status === 'pending_cancel')
      return alpacaError(422, 42210000, `order is not cancelable (status ${o.status})`);
    const onCancel = o.script?.onCancel;
    if (onCancel) {
      o.status = 'pending_cancel';
      o.cancelDue = { at: this.now().getTime() + onCancel.afterMs, outcome: onCancel.outcome };
      this.advance();
      return { status: 204, body: '' };
    }
    this.end(o, 'canceled', this.now());
    return { status: 204, body: '' };
  }

  /** Test hook: fills an open order completely at the latest price. */
  fillOpenOrder(id: string): void {
    const o = this.orders.find((x) => x.id === id);
    if (!o || !OPEN.has(o.status)) throw new Error(`no open order ${id}`);
    this.fillRest(o, this.now());
  }

  /** Fills `qty` more of an order at `price`: partially_filled until all of it is. */
  private fill(o: FakeOrder, qty: Decimal, price: Decimal, at: Date = this.now()): void {
    const value = qty.times(price);
    const pos = this.positions.get(o.symbol) ?? { qty: new Decimal(0), cost: new Decimal(0) };
    if (o.side === 'buy') {
      this.cash = this.cash.minus(value);
      this.positions.set(o.symbol, { qty: pos.qty.plus(qty), cost: pos.cost.plus(value) });
    } else {
      this.cash = this.cash.plus(value);
      const remaining = pos.qty.minus(qty);
      const cost = pos.qty.isZero() ? new Decimal(0) : pos.cost.times(remaining).dividedBy(pos.qty);
      this.positions.set(o.symbol, { qty: remaining, cost });
    }
    const before = o.filledQty;
    o.filledQty = before.plus(qty);
    o.filledAvgPrice =
      o.filledAvgPrice === null ? price : o.filledAvgPrice.times(before).plus(value).dividedBy(o.filledQty);
    const ordered = o.qty;
    if (ordered === null || o.filledQty.gte(ordered)) {
      o.status = 'filled';
      o.filledAt = at;
      o.reserved = new Decimal(0);
    } else {
      if (o.status !== 'pending_cancel') o.status = 'partially_filled';
      // What is left of a buy still holds its share of the buying power.
      if (o.side === 'buy') o.reserved = o.reservedPerShare.times(ordered.minus(o.filledQty));
    }
    o.updatedAt = at;
  }

  private buyingPower(): Decimal {
    return this.orders.filter((o) => OPEN.has(o.status)).reduce((bp, o) => bp.minus(o.reserved), this.cash);
  }

  private equity(): Decimal {
    let equity = this.cash;
    for (const [symbol, p] of this.positions)
      equity = equity.plus(p.qty.times(this.prices.get(symbol) ?? '0'));
    return equity;
  }

  private orderJson(o: FakeOrder): Record<string, unknown> {
    const at = (d: Date | null): string | null => (d === null ? null : d.toISOString());
    return {
      id: o.id,
      client_order_id: o.clientOrderId,
      created_at: at(o.createdAt),
      updated_at: at(
        o.replacedAt ?? o.filledAt ?? o.canceledAt ?? o.expiredAt ?? o.failedAt ?? o.updatedAt ?? o.createdAt,
      ),
      submitted_at: at(o.submittedAt),
      filled_at: at(o.filledAt),
      expired_at: at(o.expiredAt),
      canceled_at: at(o.canceledAt),
      failed_at: at(o.failedAt),
      replaced_at: at(o.replacedAt),
      replaced_by: o.replacedBy,
      replaces: o.replaces,
      asset_id: fakeAssetId(o.symbol),
      symbol: o.symbol,
      asset_class: 'us_equity',
      notional: dec(o.notional),
      qty: dec(o.qty),
      filled_qty: canonical(o.filledQty),
      filled_avg_price: dec(o.filledAvgPrice),
      order_class: '',
      order_type: o.type,
      type: o.type,
      side: o.side,
      time_in_force: 'day',
      limit_price: dec(o.limitPrice),
      stop_price: null,
      status: o.status,
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
    };
  }
}
