import {
  type Broker,
  InMemoryPaperBrokerStore,
  PaperBroker,
  staticAssets,
  staticPrices,
} from '@books/broker';
import {
  createLogger,
  isFinal,
  ManualClock,
  Money,
  Price,
  Quantity,
  RunId,
  type StrategyId,
  StrategyId as StrategyIdOf,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import { type StoredPlan, StoredPlanSchema } from '@books/ledger-client';
import { emptyBook, type PlannedTrade } from '@books/portfolio';
import { executionRequestFor, type RequestContext } from '@books/queue';
import type { ExecutionDeps } from '../../src/execute';
import type { PlannedTradeRecord } from '../../src/planned-trade';
import type { ClaimedIntent, Intent, IntentStore, SymbolLocks, TradeOutcome } from '../../src/ports';

export const runId = RunId('test-2024-10-01');
export const strategyId = StrategyIdOf('momentum');
export const SPY = Symbol('SPY');
const trade: PlannedTrade = {
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

/** The stored plan holding the one BUY (no SELLs), as the ledger would decode it. */
function storedPlan(clientOrderId: string): StoredPlan {
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
    sells: [],
    buys: [
      {
        symbol: 'SPY',
        side: 'buy',
        qty: '2',
        price: '100',
        estimatedValue: '200',
        currentValue: '0',
        targetValue: '200',
        reason: 'enter',
        leg: 0,
        clientOrderId,
      },
    ],
    suppressed: [],
    estimatedCashAfter: money('39800'),
  });
}

export interface WorldOptions {
  /** Runs when the symbol's lease is taken, before the work under it. */
  readonly onLease?: () => void | Promise<void>;
  /** The intent as an earlier delivery left it (claimed, so the claim finds it). */
  readonly earlier?: Omit<Intent, 'clientOrderId' | 'runId' | 'strategyId' | 'symbol' | 'side' | 'qty'>;
}

/**
 * One BUY of a stored plan through executeRequest, with in-memory ports and the simulated broker,
 * recording what each port was asked: the broker's calls by name, the intent state reads, and the
 * plan each BUY release was handed.
 */
export function world(options: WorldOptions = {}) {
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
  const stored = storedPlan(message.client_order_id);
  const planned: PlannedTradeRecord = {
    runId,
    strategyId,
    clientOrderId: message.client_order_id,
    symbol: SPY,
    side: 'buy',
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
      side: 'buy',
      qty: trade.qty,
    });
  let stateReads = 0;
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
      intents.set(id, { ...i, state: to, ...patch });
      return 'applied';
    },
  };
  const outcomes: TradeOutcome[] = [];
  const locks: SymbolLocks = {
    async withSymbol(_symbol, _owner, work) {
      await options.onLease?.();
      return work();
    },
  };
  const releases: { runId: RunId; strategyId: StrategyId; plan: StoredPlan | undefined }[] = [];
  let halt: string | undefined;
  const deps: ExecutionDeps = {
    broker,
    intents: store,
    ledger: {
      readBook: async () => ({ book: emptyBook(strategyId), version: 0 }),
      async recordOutcome(o) {
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
    setHalt: (h: string | undefined) => {
      halt = h;
    },
    /** The message's order, placed at the broker as another delivery of it would place it. */
    placeByAnotherDelivery: () =>
      paper.placeOrder({
        clientOrderId: message.client_order_id,
        symbol: message.trade.symbol,
        side: 'buy',
        qty: message.trade.target_qty,
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
