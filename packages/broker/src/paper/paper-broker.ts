import { realSleep, type Sleep } from '@books/alpaca';
import {
  BoundedMemo,
  type ClientOrderId,
  type Clock,
  ConcurrencyError,
  Decimal,
  type Logger,
  Money,
  marketDateOf,
  memoisedUnlessRejected,
  notional,
  Price,
  Quantity,
  Symbol,
  type TradingDate,
} from '@books/core';
import { type ListActivitiesQuery, matchesQuery, type NonTradeActivity, toActivity } from '../activities';
import {
  calendarDayOnDemand,
  clockFromSortedCalendar,
  firstOpenSessionIndex,
  sessionAtSorted,
  type TradingDaySpec,
} from '../calendar';
import {
  AssetNotTradable,
  BrokerError,
  BrokerUnavailable,
  DuplicateClientOrderIdError,
  InsufficientBuyingPower,
  InsufficientQuantity,
  NotFractionable,
  OrderNotCancelable,
  OrderNotFound,
  OrderRejected,
  RateLimited,
  WashTradeRejected,
} from '../errors';
import {
  type Account,
  type Asset,
  type Broker,
  type BrokerOrder,
  type BrokerOrderId,
  type CalendarDay,
  isOpenOrderStatus,
  type LatestPrice,
  type MarketClock,
  type OrderRequest,
  type PlacedOrder,
  type Position,
} from '../port';
import { applyCorporateActions, type PaperCorporateActions } from './corporate-actions';
import { PaperFaults, type PaperRoute } from './faults';
import { feesFor, fillPrice, marketable, type PaperFees, qtyForNotional } from './pricing';
import { type PaperAccountState, type PaperOrderRecord, toBrokerOrder, type Versioned } from './records';
import type { AssetSource, PriceSource } from './sources';
import { PaperAccountMissing, type PaperBrokerStore } from './store';

export interface PaperBrokerOptions {
  readonly store: PaperBrokerStore;
  readonly prices: PriceSource;
  readonly assets: AssetSource;
  /**
   * The trading days, or how to read them: then read by the first call that needs them (an order,
   * the clock, the calendar, settling), before anything else of that call, and kept once read; a
   * read that fails fails that call, and the next call that needs the days reads them again. A
   * source that reads one date's day (PaperCalendarSource) is asked for that day alone by the calls
   * that need no other until every day is read: an order (the day of its instant) and the calendar
   * of one date.
   */
  readonly calendar: PaperCalendar;
  readonly clock: Clock;
  /** Cash of a new account (ignored when the store already holds one). */
  readonly initialCash: Money;
  /** Decimal text; default "0". */
  readonly slippageBps?: string;
  /**
   * Alpaca checks a market BUY by quantity against a price above the last trade (2.5–4%, "Orders
   * at Alpaca": buying power): the order's value × (1 + this buffer) must fit the buying power.
   * Decimal text; default "0.03" (the config's default `cashReserve` keeps a book within it).
   */
  readonly marketBuyBuffer?: string;
  readonly fees?: PaperFees;
  /** Fresh broker order ids; default crypto.randomUUID. */
  readonly newOrderId?: () => string;
  readonly faults?: PaperFaults;
  readonly sleep?: Sleep;
  readonly logger?: Logger;
}

/** The paper broker's trading days: given, or read when first needed (see PaperBrokerOptions). */
export type PaperCalendar =
  | readonly TradingDaySpec[]
  | (() => Promise<readonly TradingDaySpec[]>)
  | PaperCalendarSource;

/** Trading days read when first needed: every day, or one date's where the source can read it alone. */
export interface PaperCalendarSource {
  readonly days: () => Promise<readonly TradingDaySpec[]>;
  /** The day `days` lists on `date` (one per date), or undefined when it lists none. */
  readonly day: (date: TradingDate) => Promise<TradingDaySpec | undefined>;
}

/** The calendar as a source of one date's day, when it is one. */
function daySource(calendar: PaperCalendar): PaperCalendarSource | undefined {
  return typeof calendar === 'function' || !('days' in calendar) ? undefined : calendar;
}

const MAX_COMMIT_ATTEMPTS = 25;
export const DEFAULT_MARKET_BUY_BUFFER = '0.03';

/**
 * The embedded broker: Alpaca's rules over a durable paper account.
 *
 * Rules, in Alpaca's order: a client order id already used returns that order (never a second
 * fill); an unknown or non-tradable asset, a fractional quantity or a notional order on a
 * non-fractionable asset, an opposite-side open order on the symbol (wash trade), a buy beyond
 * buying power (cash minus what open buys hold) and a sell beyond the position (minus open sells)
 * are rejected with the typed errors of the port. Market orders fill at once at the day's price ×
 * (1 ± slippage) while the market is open; limit orders when marketable; anything else waits for
 * `settlePending()`. Day orders not filled by their session's close expire on `settlePending()`.
 *
 * Concurrency: every change rewrites the account under its version (see PaperBrokerStore), and a
 * lost race is re-evaluated from fresh state, so processes sharing a store never double-fill or
 * double-spend.
 */
/**
 * Sessions of the days given, in time order: by date, then opening time (New York wall clock, in
 * the order of the instants), so that sorting converts no day's instants.
 */
function daysOf(specs: readonly TradingDaySpec[], build: (d: TradingDaySpec) => CalendarDay): CalendarDay[] {
  return specs.map(build).sort((a, b) => compareText(a.date, b.date) || compareText(a.open, b.open));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class PaperBroker implements Broker {
  readonly faults: PaperFaults;
  /** The calendar's days in time order, built on first use (`days`). */
  private sortedDays: CalendarDay[] | undefined;
  /** The calendar's specs once read (`calendar`), and the read under way. */
  private specs: readonly TradingDaySpec[] | undefined;
  private readingSpecs: Promise<readonly TradingDaySpec[]> | undefined;
  private readonly slippageBps: Decimal;
  private readonly marketBuyBuffer: Decimal;
  private readonly sleep: Sleep;
  private readonly newOrderId: () => string;
  private initialised: Promise<void> | undefined;

  constructor(private readonly o: PaperBrokerOptions) {
    this.faults = o.faults ?? new PaperFaults();
    this.slippageBps = new Decimal(o.slippageBps ?? '0');
    this.marketBuyBuffer = new Decimal(o.marketBuyBuffer ?? DEFAULT_MARKET_BUY_BUFFER);
    this.sleep = o.sleep ?? realSleep;
    this.newOrderId = o.newOrderId ?? (() => crypto.randomUUID());
  }

  /**
   * The calendar's specs: as given, or read on the first call that needs them and kept (a failed
   * read is not kept: the next call reads again).
   */
  private async calendar(): Promise<readonly TradingDaySpec[]> {
    if (this.specs) return this.specs;
    const given = this.o.calendar;
    if (typeof given !== 'function' && !('days' in given)) {
      this.specs = given;
      return given;
    }
    this.readingSpecs ??= (typeof given === 'function' ? given() : given.days()).then(
      (specs) => {
        this.specs = specs;
        return specs;
      },
      (e: unknown) => {
        this.readingSpecs = undefined;
        throw e;
      },
    );
    return this.readingSpecs;
  }

  /**
   * Every day of the calendar as a session, in time order: built when first needed (a clock, an
   * order), not when made. A day's instants cost two time-zone conversions, made when first read
   * (a clock or a settlement searches the days, reading a few days' instants).
   */
  private days(specs: readonly TradingDaySpec[]): CalendarDay[] {
    this.sortedDays ??= daysOf(specs, (d) => this.dayOf(d));
    return this.sortedDays;
  }

  /** Each day of the calendar built once (its instants converted when first read), by its spec. */
  private readonly builtDays = new Map<string, CalendarDay>();
  private dayOf(spec: TradingDaySpec): CalendarDay {
    const key = `${spec.date} ${spec.open} ${spec.close}`;
    let day = this.builtDays.get(key);
    if (!day) {
      day = calendarDayOnDemand(spec.date, spec.open, spec.close);
      this.builtDays.set(key, day);
    }
    return day;
  }

  /**
   * One date's day read from a source (PaperCalendarSource), by date (the last few dates asked); a
   * failed read is not kept.
   */
  private readonly readingDay = new BoundedMemo<Promise<TradingDaySpec | undefined>>(8);

  /**
   * The calendar's day on `date`: from every day once read, else from a source that reads one
   * date's day (that date's read kept), else from every day, read now.
   */
  private async dayOn(date: TradingDate): Promise<TradingDaySpec | undefined> {
    const source = daySource(this.o.calendar);
    if (this.specs || !source) return (await this.calendar()).find((d) => d.date === date);
    return memoisedUnlessRejected(this.readingDay, date, () => source.day(date));
  }

  /**
   * The session `now` falls in. Until the whole calendar is built for another reason, only the day
   * of `now`'s New York date is, and only its instants are converted: a session lies within its own
   * date (an order on a cold start would otherwise read, build and search every day of the bars).
   */
  private async sessionAt(now: Date): Promise<CalendarDay | undefined> {
    if (this.sortedDays) return sessionAtSorted(this.sortedDays, now);
    const spec = await this.dayOn(marketDateOf(now));
    if (!spec) return undefined;
    const day = this.dayOf(spec);
    return day.openAt <= now && now < day.closeAt ? day : undefined;
  }

  async getAccount(): Promise<Account> {
    await this.before('getAccount');
    const {
      account: { value: account },
      open,
    } = await this.loadWithOpenOrders();
    const cash = Money.parse(account.cash);
    let equity = cash;
    for (const p of await this.positionsOf(account)) equity = equity.plus(p.marketValue);
    return { cash, equity, buyingPower: cash.minus(reservedBy(open)) };
  }

  async getPositions(): Promise<Position[]> {
    await this.before('getPositions');
    return this.positionsOf((await this.load()).value);
  }

  async getClock(): Promise<MarketClock> {
    const specs = await this.calendar();
    await this.before('getClock');
    return clockFromSortedCalendar(this.days(specs), this.o.clock.now());
  }

  async getCalendar(start: TradingDate, end: TradingDate): Promise<CalendarDay[]> {
    if (start === end && !this.specs && daySource(this.o.calendar)) {
      // One date's session (the question of a run's window) from its day alone.
      const spec = await this.dayOn(start);
      await this.before('getCalendar');
      return spec ? [this.dayOf(spec)] : [];
    }
    const specs = await this.calendar();
    await this.before('getCalendar');
    // The days asked for alone until the whole calendar is needed.
    const inRange = (d: { readonly date: TradingDate }) => d.date >= start && d.date <= end;
    return this.sortedDays
      ? this.sortedDays.filter(inRange)
      : daysOf(specs.filter(inRange), (d) => this.dayOf(d));
  }

  async getAsset(symbol: Symbol): Promise<Asset> {
    await this.before('getAsset');
    const asset = await this.o.assets.asset(symbol);
    if (!asset) throw new AssetNotTradable(`unknown asset ${symbol}`, { symbol });
    return asset;
  }

  async placeOrder(request: OrderRequest): Promise<PlacedOrder> {
    // The calendar (the day of now) read before anything else of the call (see PaperBrokerOptions).
    await this.dayOn(marketDateOf(this.o.clock.now()));
    await this.before('placeOrder');
    const timeoutAfterAccept = this.faults.take('placeOrder', ['timeout-after-accept']);
    const fillFault = this.faults.take('placeOrder', ['partial-fill', 'delayed-fill']);
    const washFault = this.faults.take('placeOrder', ['wash-trade']);
    validate(request);
    /** Alpaca's rules over the account as read, and the commit of the order they accept. */
    const place = async (
      account: Versioned<PaperAccountState>,
      open: readonly PaperOrderRecord[],
    ): Promise<PlacedOrder> => {
      const asset = checkAsset(request, await this.o.assets.asset(request.symbol));
      if (washFault)
        throw new WashTradeRejected('potential wash trade detected. use complex orders', {
          symbol: request.symbol,
          fault: 'wash-trade',
        });
      const washing = open.find((x) => x.symbol === request.symbol && x.side !== request.side);
      if (washing)
        throw new WashTradeRejected('potential wash trade detected. use complex orders', {
          symbol: request.symbol,
          openOrderId: washing.id,
        });
      const now = this.o.clock.now();
      const dayPrice = await this.o.prices.latestPrice(request.symbol, now);
      if (!dayPrice) throw new OrderRejected(`no price for ${request.symbol}`, { symbol: request.symbol });
      const limit = request.limitPrice ?? null;
      const expected = fillPrice(dayPrice, request.side, this.slippageBps, limit);
      const targetQty = request.qty ?? qtyForNotional(request.notional, expected);
      if (!targetQty.isPositive())
        throw new OrderRejected('order quantity must be positive', { request: 'qty' });

      let reserved = Money.ZERO;
      if (request.side === 'buy') {
        const atPrice = request.notional ?? notional(targetQty, limit ?? expected);
        reserved = atPrice.plus(feesFor(targetQty, atPrice, this.o.fees));
        const buyingPower = Money.parse(account.value.cash).minus(reservedBy(open));
        // A market BUY by quantity is checked at a price above the last trade, as Alpaca does.
        const checked =
          request.notional === undefined && limit === null
            ? reserved.times(this.marketBuyBuffer.plus(1))
            : reserved;
        if (checked.gt(buyingPower))
          throw new InsufficientBuyingPower('insufficient buying power', {
            required: checked.toString(),
            buyingPower: buyingPower.toString(),
          });
      } else {
        const held = Quantity.parse(account.value.positions[request.symbol]?.qty ?? '0');
        const available = held.minus(openSellQty(open, request.symbol));
        if (targetQty.gt(available))
          throw new InsufficientQuantity(
            `insufficient qty available for order (requested: ${targetQty}, available: ${available})`,
            { symbol: request.symbol },
          );
      }

      let order: PaperOrderRecord = {
        id: this.newOrderId(),
        clientOrderId: request.clientOrderId,
        symbol: request.symbol,
        side: request.side,
        type: request.type,
        status: 'new',
        qty: request.qty === undefined ? null : request.qty.toString(),
        notional: request.notional === undefined ? null : request.notional.toString(),
        limitPrice: limit === null ? null : limit.toString(),
        targetQty: targetQty.toString(),
        filledQty: '0',
        filledAvgPrice: null,
        reserved: reserved.toString(),
        fees: '0',
        submittedAt: now.toISOString(),
        filledAt: null,
        revision: 0,
      };
      let next = account.value;
      const marketOpen = (await this.sessionAt(now)) !== undefined;
      if (!marketOpen) {
        order = { ...order, status: 'accepted' };
      } else if (request.type === 'market' || (limit !== null && marketable(request.side, dayPrice, limit))) {
        const delayed = request.type === 'market' && fillFault?.kind === 'delayed-fill';
        if (!delayed) {
          let qty = targetQty;
          if (request.type === 'market' && fillFault?.kind === 'partial-fill') {
            qty = partialQty(targetQty, fillFault.fillRatio ?? '0.5', asset.fractionable);
          }
          if (qty.isPositive()) ({ order, account: next } = this.fill(order, next, qty, expected, now));
        }
      }
      await this.o.store.commit({
        account: { expectedVersion: account.version, next },
        newOrder: order,
      });
      return { ...toBrokerOrder(order), alreadyExisted: false };
    };
    const placed = await this.withRetries(async () => {
      // A client order id already used answers with its order, never with a rule's verdict on
      // the state that very order left (buying power, position). The order is looked up only when
      // the rules reject this call or its commit loses (a concurrent call's order with this id, or
      // any change to the account since it was read): the commit's new-order put is conditional
      // on the id being unused, so an order that exists never passes unnoticed, and an accepted
      // call costs no lookup. The open orders are those of the account as read (one read of it
      // where the store can): any order placed, filled or canceled since changes the account's
      // version, which the commit is conditioned on.
      const { account, open } = await this.loadWithOpenOrders();
      try {
        return await place(account, open);
      } catch (e) {
        if (!(e instanceof BrokerError) && !(e instanceof ConcurrencyError)) throw e;
        const existing = await this.o.store.getOrderByClientId(request.clientOrderId);
        if (existing) return { ...toBrokerOrder(existing), alreadyExisted: true };
        throw e;
      }
    });
    if (timeoutAfterAccept && !placed.alreadyExisted)
      throw new BrokerUnavailable(
        `placeOrder ${request.clientOrderId} timed out after the order was accepted`,
        {
          clientOrderId: request.clientOrderId,
          fault: 'timeout-after-accept',
        },
      );
    return placed;
  }

  async getOrder(id: BrokerOrderId): Promise<BrokerOrder> {
    await this.before('getOrder');
    const r = await this.o.store.getOrder(id);
    if (!r) throw new OrderNotFound(`order ${id} not found`, { orderId: id });
    return toBrokerOrder(r);
  }

  async getOrderByClientId(clientOrderId: ClientOrderId): Promise<BrokerOrder> {
    await this.before('getOrderByClientId');
    const r = await this.o.store.getOrderByClientId(clientOrderId);
    if (!r)
      throw new OrderNotFound(`order with client order id ${clientOrderId} not found`, { clientOrderId });
    return toBrokerOrder(r);
  }

  async cancelOrder(id: BrokerOrderId): Promise<void> {
    await this.before('cancelOrder');
    await this.withRetries(async () => {
      const r = await this.o.store.getOrder(id);
      if (!r) throw new OrderNotFound(`order ${id} not found`, { orderId: id });
      if (r.status === 'canceled') return;
      if (!isOpenOrderStatus(r.status))
        throw new OrderNotCancelable(`order is not cancelable (status ${r.status})`, {
          orderId: id,
          status: r.status,
        });
      const account = await this.load();
      await this.o.store.commit({
        account: { expectedVersion: account.version, next: account.value },
        updatedOrders: [{ order: { ...r, status: 'canceled', reserved: '0' }, expectedRevision: r.revision }],
      });
    });
  }

  async listOpenOrders(): Promise<BrokerOrder[]> {
    await this.before('listOpenOrders');
    return (await this.o.store.listOpenOrders()).map(toBrokerOrder);
  }

  async getLatestPrices(symbols: readonly Symbol[]): Promise<Map<Symbol, LatestPrice>> {
    await this.before('getLatestPrices');
    const at = this.o.clock.now();
    const out = new Map<Symbol, LatestPrice>();
    for (const symbol of new Set(symbols)) {
      const price = await this.o.prices.latestPrice(symbol, at);
      if (price) out.set(symbol, { symbol, price, at });
    }
    return out;
  }

  /**
   * The simulated account's activities (corporate actions, deposits, withdrawals), read from its
   * rows in Alpaca's shape through the same reader as Alpaca's, oldest first.
   */
  async listActivities(query: ListActivitiesQuery = {}): Promise<NonTradeActivity[]> {
    await this.before('listActivities');
    const rows = (await this.load()).value.corporate?.rows ?? [];
    return rows.map((r) => toActivity(r)).filter((a) => matchesQuery(a, query));
  }

  /**
   * Applies the corporate actions and cash events dated on or before `through` that the account
   * has not applied yet (see applyCorporateActions), each exactly once: the account item records
   * them under its version, so a repeated or concurrent call applies nothing twice. Call it on the
   * simulated day before its trades, with the clock on that day (cash in lieu is paid at the
   * day's price). Returns the activities it added.
   */
  async applyCorporateActions(
    actions: PaperCorporateActions,
    through: TradingDate,
  ): Promise<NonTradeActivity[]> {
    const symbols = new Set(actions.splits.map((s) => s.symbol));
    const now = this.o.clock.now();
    const prices = new Map<string, Price>();
    for (const symbol of symbols) {
      const price = await this.o.prices.latestPrice(Symbol(symbol), now);
      if (price) prices.set(symbol, price);
    }
    const rows = await this.withRetries(async () => {
      const account = await this.load();
      const applied = applyCorporateActions(account.value, actions, through, (s) => prices.get(s), now);
      if (applied.account === account.value) return [];
      await this.o.store.commit({ account: { expectedVersion: account.version, next: applied.account } });
      return applied.rows;
    });
    for (const r of rows) this.o.logger?.info({ activity: r }, 'simulated broker applied a corporate action');
    return rows.map((r) => toActivity(r));
  }

  /**
   * Moves open orders on at the clock's current time: orders of a session that has closed expire;
   * while the market is open, market orders (delayed, partially filled, or placed while closed)
   * fill their remaining quantity and marketable limit orders fill. Returns the orders it changed.
   */
  async settlePending(): Promise<BrokerOrder[]> {
    const days = this.days(await this.calendar());
    const changed: BrokerOrder[] = [];
    for (const candidate of await this.o.store.listOpenOrders()) {
      const result = await this.withRetries(async () => {
        const r = await this.o.store.getOrder(candidate.id);
        if (!r || !isOpenOrderStatus(r.status)) return undefined;
        const now = this.o.clock.now();
        const session = sessionAtSorted(days, now);
        const account = await this.load();
        const submitted = new Date(r.submittedAt);
        const sessionOfOrder = days[firstOpenSessionIndex(days, submitted)];
        if (sessionOfOrder && now >= sessionOfOrder.closeAt) {
          const expired: PaperOrderRecord = { ...r, status: 'expired', reserved: '0' };
          await this.commitOrder(account, account.value, r, expired);
          return expired;
        }
        if (!session) return undefined;
        const dayPrice = await this.o.prices.latestPrice(Symbol(r.symbol), now);
        if (!dayPrice) return undefined;
        const limit = r.limitPrice === null ? null : Price.parse(r.limitPrice);
        if (limit !== null && !marketable(r.side, dayPrice, limit)) return undefined;
        const remaining = Quantity.parse(r.targetQty).minus(Quantity.parse(r.filledQty));
        if (!remaining.isPositive()) return undefined;
        const price = fillPrice(dayPrice, r.side, this.slippageBps, limit);
        const { order, account: next } = this.fill(r, account.value, remaining, price, now);
        await this.commitOrder(account, next, r, order);
        return order;
      });
      if (result) changed.push(toBrokerOrder(result));
    }
    return changed;
  }

  private async commitOrder(
    account: Versioned<PaperAccountState>,
    next: PaperAccountState,
    before: PaperOrderRecord,
    after: PaperOrderRecord,
  ): Promise<void> {
    await this.o.store.commit({
      account: { expectedVersion: account.version, next },
      updatedOrders: [{ order: after, expectedRevision: before.revision }],
    });
  }

  /** Applies a fill of `qty` at `price` to an order and the account (pure). */
  private fill(
    order: PaperOrderRecord,
    account: PaperAccountState,
    qty: Quantity,
    price: Price,
    at: Date,
  ): { order: PaperOrderRecord; account: PaperAccountState } {
    const value = notional(qty, price);
    const fees = feesFor(qty, value, this.o.fees);
    const cash = Money.parse(account.cash);
    const pos = account.positions[order.symbol] ?? { qty: '0', cost: '0' };
    const posQty = Quantity.parse(pos.qty);
    const posCost = Money.parse(pos.cost);
    let nextCash: Money;
    let nextPos: { qty: Quantity; cost: Money };
    if (order.side === 'buy') {
      nextCash = cash.minus(value).minus(fees);
      nextPos = { qty: posQty.plus(qty), cost: posCost.plus(value) };
    } else {
      nextCash = cash.plus(value).minus(fees);
      const left = posQty.minus(qty);
      nextPos = { qty: left, cost: left.isZero() ? Money.ZERO : posCost.times(left.ratioTo(posQty)) };
    }
    const positions = { ...account.positions };
    if (nextPos.qty.isZero()) delete positions[order.symbol];
    else positions[order.symbol] = { qty: nextPos.qty.toString(), cost: nextPos.cost.toString() };

    const filledBefore = Quantity.parse(order.filledQty);
    const filled = filledBefore.plus(qty);
    const avgBefore = order.filledAvgPrice === null ? Price.of(0) : Price.parse(order.filledAvgPrice);
    const avg = Price.of(avgBefore.value.times(filledBefore.value).plus(value.value).dividedBy(filled.value));
    const complete = filled.gte(Quantity.parse(order.targetQty));
    const reserved = Money.parse(order.reserved).minus(value).minus(fees);
    return {
      // `...account`: a fill keeps the corporate actions applied (else they would be applied again).
      account: { ...account, cash: nextCash.toString(), positions },
      order: {
        ...order,
        status: complete ? 'filled' : 'partially_filled',
        filledQty: filled.toString(),
        filledAvgPrice: avg.toString(),
        fees: Money.parse(order.fees).plus(fees).toString(),
        reserved: complete || reserved.isNegative() ? '0' : reserved.toString(),
        filledAt: complete ? at.toISOString() : order.filledAt,
      },
    };
  }

  private async positionsOf(account: PaperAccountState): Promise<Position[]> {
    const now = this.o.clock.now();
    const out: Position[] = [];
    for (const [sym, p] of Object.entries(account.positions).sort(([a], [b]) => a.localeCompare(b))) {
      const symbol = Symbol(sym);
      const qty = Quantity.parse(p.qty);
      const avgEntryPrice = Price.of(Money.parse(p.cost).value.dividedBy(qty.value));
      const mark = (await this.o.prices.latestPrice(symbol, now)) ?? avgEntryPrice;
      out.push({ symbol, qty, avgEntryPrice, marketValue: notional(qty, mark) });
    }
    return out;
  }

  private load(): Promise<Versioned<PaperAccountState>> {
    return this.afterFirstUse(() => this.o.store.loadAccount());
  }

  /**
   * `read` of the account, which is created on first use: read first, and created (with the
   * initial cash) only when it is missing, so a process on a stage whose account exists writes
   * nothing to start. Creating never resets an existing account, so two first uses may race.
   */
  private async afterFirstUse<T>(read: () => Promise<T>): Promise<T> {
    if (this.initialised === undefined) {
      try {
        const value = await read();
        this.initialised ??= Promise.resolve();
        return value;
      } catch (e) {
        if (!(e instanceof PaperAccountMissing)) throw e;
      }
    }
    await this.initialise();
    return read();
  }

  private initialise(): Promise<void> {
    this.initialised ??= this.o.store.initialise(this.o.initialCash).catch((e: unknown) => {
      this.initialised = undefined;
      throw e;
    });
    return this.initialised;
  }

  /** The account and its open orders: one read where the store can. */
  private async loadWithOpenOrders() {
    const { store } = this.o;
    const both = store.loadAccountAndOpenOrders?.bind(store);
    if (!both) return { account: await this.load(), open: await store.listOpenOrders() };
    return this.afterFirstUse(both);
  }

  private async before(route: PaperRoute): Promise<void> {
    const latency = this.faults.take(route, ['latency']);
    if (latency) await this.sleep(latency.latencyMs ?? 0);
    const failure = this.faults.take(route, ['5xx', '429']);
    if (failure?.kind === '5xx')
      throw new BrokerUnavailable(`${route} failed (injected 5xx)`, { route, fault: '5xx' });
    if (failure?.kind === '429')
      throw new RateLimited(
        `${route} rate limited (injected 429)`,
        new Date(this.o.clock.now().getTime() + (failure.retryAfterMs ?? 1_000)),
        { route, fault: '429' },
      );
  }

  /** Runs a read-check-commit step again from fresh state when another writer won the race. */
  private async withRetries<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (e) {
        const lostRace = e instanceof DuplicateClientOrderIdError || e instanceof ConcurrencyError;
        if (lostRace && attempt < MAX_COMMIT_ATTEMPTS) {
          this.o.logger?.debug({ attempt, reason: e.message }, 'paper broker lost a race; re-evaluating');
          continue;
        }
        throw e;
      }
    }
  }
}

function validate(r: OrderRequest): void {
  if (r.type === 'limit' && r.limitPrice === undefined)
    throw new OrderRejected('limit_price is required', { clientOrderId: r.clientOrderId });
  if (r.type === 'market' && r.limitPrice !== undefined)
    throw new OrderRejected('a market order takes no limit_price', { clientOrderId: r.clientOrderId });
  const amount = r.qty?.value ?? r.notional?.value;
  if (!amount || amount.lte(0))
    throw new OrderRejected('qty or notional must be positive', { clientOrderId: r.clientOrderId });
  if (r.qty && r.qty.value.decimalPlaces() > Quantity.MAX_DECIMALS)
    throw new OrderRejected(`qty has more than ${Quantity.MAX_DECIMALS} decimals`, {
      clientOrderId: r.clientOrderId,
    });
}

function checkAsset(r: OrderRequest, asset: Asset | undefined): Asset {
  if (!asset) throw new AssetNotTradable(`asset "${r.symbol}" not found`, { symbol: r.symbol });
  if (!asset.tradable || asset.status !== 'active')
    throw new AssetNotTradable(`asset ${r.symbol} is not tradable`, { symbol: r.symbol });
  if (!asset.fractionable && (r.notional !== undefined || !r.qty.value.isInteger()))
    throw new NotFractionable(`asset "${r.symbol}" is not fractionable`, { symbol: r.symbol });
  return asset;
}

function reservedBy(open: readonly PaperOrderRecord[]): Money {
  return Money.sum(open.filter((o) => o.side === 'buy').map((o) => Money.parse(o.reserved)));
}

function openSellQty(open: readonly PaperOrderRecord[], symbol: string): Quantity {
  return Quantity.sum(
    open
      .filter((o) => o.side === 'sell' && o.symbol === symbol)
      .map((o) => Quantity.parse(o.targetQty).minus(Quantity.parse(o.filledQty))),
  );
}

function partialQty(target: Quantity, ratio: string, fractionable: boolean): Quantity {
  const part = target.times(ratio);
  return fractionable ? part.truncate(Quantity.MAX_DECIMALS) : part.wholeShares();
}
