import {
  type Broker,
  InMemoryPaperBrokerStore,
  PaperBroker,
  staticAssets,
  staticPrices,
} from '@books/broker';
import {
  ClientOrderId,
  ConcurrencyError,
  createLogger,
  isFinal,
  ManualClock,
  Money,
  Price,
  Quantity,
  RunId,
  type Side,
  type StrategyId,
  StrategyId as StrategyIdOf,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import { type StoredPlan, StoredPlanSchema } from '@books/ledger-client';
import { applyFill, type Book, emptyBook, type PlannedTrade } from '@books/portfolio';
import { executionRequestFor, type RequestContext } from '@books/queue';
import type { ExecutionDeps } from '../../src/execute';
import type { PlannedTradeRecord } from '../../src/planned-trade';
import type {
  ClaimedIntent,
  Intent,
  IntentStore,
  SymbolLocks,
  TradeOutcome,
  VersionedBook,
} from '../../src/ports';

export const runId = RunId('test-2024-10-01');
export const strategyId = StrategyIdOf('momentum');
export const SPY = Symbol('SPY');
const buy: PlannedTrade = {
  symbol: SPY,
  side: 'buy',
  qty: Quantity.parse('2'),
  price: Price.parse('100'),
  estimatedValue: Money.parse('200'),
  currentValue: Money.ZERO,
  targetValue: Money.parse('200'),
  reason: 'enter',
  leg: 0,
};
const context: RequestContext = {
  runId,
  strategyId,
  file: 'momentum.clj',
  allocation: Weight.parse('0.4'),
  strategyCapital: Money.parse('40000'),
  plannedAt: '2024-10-01T19:30:00.000Z',
};

/** The stored plan holding the one trade (a BUY, or a SELL), as the ledger would decode it. */
function storedPlan(trade: PlannedTrade, clientOrderId: string): StoredPlan {
  const money = (v: string) => v;
  return StoredPlanSchema.parse({
    runId,
    strategyId,
    file: context.file,
    allocation: '0.4',
    asOf: '2024-10-01',
    plannedAt: context.plannedAt,
    weights: { SPY: '1' },
    minTradeNotional: money('1'),
    equity: money('40000'),
    capital: {
      action: 'hold',
      equity: money('40000'),
      targetEquity: money('40000'),
      share: null,
      transfer: null,
      capital: money('40000'),
      explanation: 'held',
    },
    ...(trade.side === 'buy'
      ? { sells: [], buys: [{ ...storedTrade(trade), clientOrderId }] }
      : { sells: [{ ...storedTrade(trade), clientOrderId }], buys: [] }),
    suppressed: [],
    estimatedCashAfter: money('39800'),
  });
}

function storedTrade(trade: PlannedTrade) {
  return {
    symbol: trade.symbol,
    side: trade.side,
    qty: trade.qty.toString(),
    price: trade.price.toString(),
    estimatedValue: trade.estimatedValue.toString(),
    currentValue: trade.currentValue.toString(),
    targetValue: trade.targetValue.toString(),
    reason: trade.reason,
    leg: trade.leg,
  };
}

/** The 2 SPY the book (and the account) hold before a SELL world's request: bought the day before. */
const HELD = {
  fillId: 'held-order',
  orderId: 'held-order',
  symbol: SPY,
  side: 'buy' as const,
  qty: Quantity.parse('2'),
  price: Price.parse('90'),
  fees: Money.ZERO,
  at: '2024-09-30T19:30:00.000Z',
};

export interface WorldOptions {
  /** The planned trade's side (default a BUY); a SELL's book holds the 2 SPY it sells. */
  readonly side?: Side;
  /** Runs when the symbol's lease is taken, before the work under it. */
  readonly onLease?: () => void | Promise<void>;
  /** The intent as an earlier delivery left it (claimed, so the claim finds it). */
  readonly earlier?: Omit<Intent, 'clientOrderId' | 'runId' | 'strategyId' | 'symbol' | 'side' | 'qty'>;
  /** Runs once the intent's move to SUBMITTED has applied, before it answers. */
  readonly onSubmitted?: () => void | Promise<void>;
}

/**
 * One BUY (or SELL) of a stored plan through executeRequest, with in-memory ports and the
 * simulated broker, recording what each port was asked: the broker's calls by name, the intent
 * state reads, the plan each BUY release was handed, and the intent moves, book reads, outcome
 * writes and lease releases in the order they were made (`steps`). The ledger keeps the book at a version
 * and writes an outcome as the ledger's one transaction does: not for an intent already final nor
 * a fill already recorded (already-recorded), and only at the book's version (else
 * ConcurrencyError).
 */
export function world(options: WorldOptions = {}) {
  const side = options.side ?? 'buy';
  const trade: PlannedTrade = side === 'buy' ? buy : { ...buy, side, reason: 'exit' };
  const clock = new ManualClock('2024-10-01T19:30:00Z');
  const paper = new PaperBroker({
    store: new InMemoryPaperBrokerStore(),
    prices: staticPrices(new Map([[SPY, Price.parse('100')]])),
    assets: staticAssets([], { tradable: true, fractionable: true }),
    calendar: [{ date: TradingDate('2024-10-01'), open: '09:30', close: '16:00' }],
    clock,
    initialCash: Money.parse('100000'),
  });
  const brokerCalls: string[] = [];
  const broker: Broker = {
    getAccount: () => paper.getAccount(),
    getPositions: () => paper.getPositions(),
    getClock: () => paper.getClock(),
    getCalendar: (start, end) => paper.getCalendar(start, end),
    getAsset: (symbol) => paper.getAsset(symbol),
    placeOrder: (request) => {
      brokerCalls.push('placeOrder');
      return paper.placeOrder(request);
    },
    getOrder: (id) => {
      brokerCalls.push('getOrder');
      return paper.getOrder(id);
    },
    getOrderByClientId: (id) => {
      brokerCalls.push('getOrderByClientId');
      return paper.getOrderByClientId(id);
    },
    cancelOrder: (id) => paper.cancelOrder(id),
    listOpenOrders: () => paper.listOpenOrders(),
    getLatestPrices: (symbols) => paper.getLatestPrices(symbols),
    listActivities: (query) => paper.listActivities(query),
  };
  const message = executionRequestFor(trade, context);
  const stored = storedPlan(trade, message.client_order_id);
  const planned: PlannedTradeRecord = {
    runId,
    strategyId,
    clientOrderId: message.client_order_id,
    symbol: SPY,
    side,
    leg: 0,
    qty: trade.qty,
    targetValue: trade.targetValue,
    source: 'plan',
    plan: {
      capital: context.strategyCapital,
      allocation: context.allocation,
      file: context.file,
      plannedAt: context.plannedAt,
      shares: {},
    },
    stored,
  };
  const intents = new Map<string, Intent>();
  if (options.earlier)
    intents.set(message.client_order_id, {
      ...options.earlier,
      clientOrderId: message.client_order_id,
      runId,
      strategyId,
      symbol: SPY,
      side,
      qty: trade.qty,
    });
  let stateReads = 0;
  /** The intent moves, book reads and outcome writes, in the order they were made. */
  const steps: string[] = [];
  /** The session, halt and claim requests, in the order they were made. */
  const asked: string[] = [];
  const store: IntentStore = {
    async claim(i): Promise<ClaimedIntent> {
      asked.push('claim');
      const existing = intents.get(i.clientOrderId);
      if (existing) return existing;
      const created: Intent = { ...i, state: 'NEW' };
      intents.set(i.clientOrderId, created);
      return { ...created, created: true };
    },
    async stateOf(_r, id) {
      stateReads++;
      return intents.get(id)?.state;
    },
    async transition(id, _r, from, to, patch) {
      const i = intents.get(id);
      // As the ledger's store answers: the final state another delivery recorded, else a noop.
      if (i && i.state !== from && isFinal(i.state)) return { final: i.state };
      if (!i || i.state !== from) return 'noop';
      steps.push(`move to ${to}`);
      intents.set(id, { ...i, state: to, ...patch });
      if (to === 'SUBMITTED') await options.onSubmitted?.();
      steps.push(`moved to ${to}`);
      return 'applied';
    },
  };
  const outcomes: TradeOutcome[] = [];
  const funded: Book = { ...emptyBook(strategyId), cash: Money.parse('100000') };
  let book: VersionedBook = { book: side === 'sell' ? applyFill(funded, HELD).book : funded, version: 1 };
  /** The fills recorded (their trade items), by fill id. */
  const recordedFills = new Set<string>([...(side === 'sell' ? [HELD.fillId] : [])]);
  /** A book read's answer: the book as stored, knowing which of `fillIds` it has applied. */
  const bookAsRead = (fillIds: readonly string[]): VersionedBook => ({
    book: { ...book.book, appliedFillIds: new Set(fillIds.filter((f) => recordedFills.has(f))) },
    version: book.version,
  });
  let failBookReads: Error | undefined;
  const locks: SymbolLocks = {
    async withSymbol(symbol, owner, work) {
      await options.onLease?.();
      let released = false;
      try {
        return await work({
          symbol,
          owner,
          released: () => {
            released = true;
          },
        });
      } finally {
        if (!released) steps.push('release the lease');
      }
    },
  };
  const releases: { runId: RunId; strategyId: StrategyId; plan: StoredPlan | undefined }[] = [];
  let halt: string | undefined;
  const deps: ExecutionDeps = {
    broker,
    intents: store,
    ledger: {
      async readBook(_s, fillIds = []) {
        steps.push(fillIds.length > 0 ? `read book with fill ${fillIds.join(', ')}` : 'read book');
        if (failBookReads) throw failBookReads;
        return bookAsRead(fillIds);
      },
      async recordOutcome(o) {
        const current = intents.get(o.intent.clientOrderId);
        if (current && isFinal(current.state)) return 'already-recorded';
        if (o.fill) {
          if (recordedFills.has(o.fill.fill.fillId)) return 'already-recorded';
          if (o.fill.bookVersion !== book.version)
            throw new ConcurrencyError(`book ${strategyId} changed since version ${o.fill.bookVersion}`);
          book = { book: o.fill.application.book, version: book.version + 1 };
          recordedFills.add(o.fill.fill.fillId);
        }
        const at = o.fill ? ` at version ${o.fill.bookVersion}` : '';
        steps.push(`record ${o.finalState}${at}${o.releaseLease ? ' and release the lease' : ''}`);
        outcomes.push(o);
        intents.set(o.intent.clientOrderId, { ...o.intent, state: o.finalState });
        return 'recorded';
      },
    },
    locks,
    release: {
      releaseIfDue: async (r, s, plan) => {
        releases.push({ runId: r, strategyId: s, plan });
      },
    },
    plans: { find: async (_r, _s, id) => (id === planned.clientOrderId ? planned : undefined) },
    windows: {
      prepare: () => {
        asked.push('prepare session');
      },
      closedReason: async () => {
        asked.push('closed reason');
        return undefined;
      },
    },
    clock,
    halt: {
      haltedReason: async () => {
        asked.push('halt');
        return halt;
      },
    },
    sleep: async () => undefined,
    logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
  };
  return {
    deps,
    message,
    broker: paper,
    brokerCalls,
    outcomes,
    releases,
    stored,
    intents,
    stateReads: () => stateReads,
    asked,
    steps,
    /** The book as stored now. */
    book: () => bookAsRead([]),
    /** Another trade of the book recorded meanwhile: its version moves on. */
    touchBook: () => {
      book = { ...book, version: book.version + 1 };
    },
    /** Every book read fails with `e` from now on (undefined: none does). */
    failBookReads: (e: Error | undefined) => {
      failBookReads = e;
    },
    setHalt: (h: string | undefined) => {
      halt = h;
    },
    /** The message's order, placed at the broker as another delivery of it would place it. */
    placeByAnotherDelivery: () =>
      paper.placeOrder({
        clientOrderId: message.client_order_id,
        symbol: message.trade.symbol,
        side,
        qty: message.trade.target_qty,
        type: 'market',
        timeInForce: 'day',
      }),
    /** The position a SELL world's book holds, bought at the broker (the account holds it too). */
    holdAtBroker: () =>
      paper.placeOrder({
        clientOrderId: ClientOrderId('held-order'),
        symbol: SPY,
        side: 'buy',
        qty: HELD.qty,
        type: 'market',
        timeInForce: 'day',
      }),
    /** The claimed intent as another delivery moved it on (it must have been claimed). */
    moveIntent: (patch: Partial<Pick<Intent, 'state' | 'brokerOrderId'>>) => {
      const found = intents.get(message.client_order_id);
      if (!found) throw new Error('the intent was not claimed');
      intents.set(message.client_order_id, { ...found, ...patch });
    },
  };
}
