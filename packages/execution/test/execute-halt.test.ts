import { InMemoryPaperBrokerStore, PaperBroker, staticAssets, staticPrices } from '@books/broker';
import {
  createLogger,
  ManualClock,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import { emptyBook, type PlannedTrade } from '@books/portfolio';
import { executionRequestFor, type RequestContext } from '@books/queue';
import { type ExecutionDeps, executeRequest } from '../src/execute';
import type { PlannedTradeRecord } from '../src/planned-trade';
import type { Intent, IntentStore, SymbolLocks, TradeOutcome } from '../src/ports';

const runId = RunId('test-2024-10-01');
const strategyId = StrategyId('momentum');
const SPY = Symbol('SPY');
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
const HALT = 'halted by ann at 2024-10-01T19:30:01.000Z: broker incident';

/**
 * One BUY of a stored plan through executeRequest, with in-memory ports and the simulated broker.
 * `onLease` runs when the symbol's lease is taken, before the work under it: the instant between
 * the halt's first read and the broker call.
 */
function world(onLease: () => void) {
  const clock = new ManualClock('2024-10-01T19:30:00Z');
  const broker = new PaperBroker({
    store: new InMemoryPaperBrokerStore(),
    prices: staticPrices(new Map([[SPY, Price.parse('100')]])),
    assets: staticAssets([], { tradable: true, fractionable: true }),
    calendar: [{ date: TradingDate('2024-10-01'), open: '09:30', close: '16:00' }],
    clock,
    initialCash: Money.parse('100000'),
  });
  const message = executionRequestFor(trade, context);
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
  };
  const intents = new Map<string, Intent>();
  const store: IntentStore = {
    async claim(i) {
      const existing = intents.get(i.clientOrderId);
      if (existing) return existing;
      const created: Intent = { ...i, state: 'NEW' };
      intents.set(i.clientOrderId, created);
      return created;
    },
    async stateOf(_r, id) {
      return intents.get(id)?.state;
    },
    async transition(id, _r, from, to, patch) {
      const i = intents.get(id);
      if (!i || i.state !== from) return 'noop';
      intents.set(id, { ...i, state: to, ...patch });
      return 'applied';
    },
  };
  const outcomes: TradeOutcome[] = [];
  const locks: SymbolLocks = {
    async withSymbol(_symbol, _owner, work) {
      onLease();
      return work();
    },
  };
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
    release: { releaseIfDue: async () => undefined },
    plans: { find: async (_r, _s, id) => (id === planned.clientOrderId ? planned : undefined) },
    windows: { closedReason: async () => undefined },
    clock,
    halt: { haltedReason: async () => halt },
    sleep: async () => undefined,
    logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
  };
  return {
    deps,
    message,
    broker,
    outcomes,
    setHalt: (h: string | undefined) => {
      halt = h;
    },
  };
}

describe('the account halt, read again under the symbol lease just before the broker call', () => {
  it('cancels an intent unplaced when the halt is set after its first read, while it waited for the lease', async () => {
    let setHalt: (h: string) => void = () => undefined;
    const w = world(() => setHalt(HALT));
    setHalt = w.setHalt;

    const result = await executeRequest(w.deps, w.message);

    expect(result).toEqual({ kind: 'recorded', state: 'CANCELED', filledQty: '0' });
    expect(await w.broker.listOpenOrders()).toEqual([]);
    await expect(w.broker.getOrderByClientId(w.message.client_order_id)).rejects.toThrow();
    expect(w.outcomes.map((o) => [o.finalState, o.reason])).toEqual([
      ['CANCELED', `canceled unplaced: the account is halted (${HALT})`],
    ]);
  });

  it('places the order when no halt is set', async () => {
    const w = world(() => undefined);
    const result = await executeRequest(w.deps, w.message);
    expect(result).toMatchObject({ kind: 'recorded', state: 'FILLED', filledQty: '2' });
    expect((await w.broker.getOrderByClientId(w.message.client_order_id)).status).toBe('filled');
  });
});
