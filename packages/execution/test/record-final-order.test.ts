import { type BrokerOrder, BrokerOrderId, ORDER_STATUSES, type OrderStatus } from '@books/broker';
import {
  BooksError,
  ClientOrderId,
  ConcurrencyError,
  type IntentState,
  isFinal,
  LEGACY,
  Money,
  Price,
  Quantity,
  RunId,
  type Side,
  StrategyId,
  Symbol,
  Weight,
} from '@books/core';
import { applyFill, type Book, emptyBook, LotKeyCollisionError, type PlannedTrade } from '@books/portfolio';
import { executionRequestFor } from '@books/queue';
import type { ExecutionLedger, Intent, IntentStore, TradeOutcome, VersionedBook } from '../src/ports';
import {
  attributionOfPlan,
  attributionOfRequest,
  type FinalOrderOutcome,
  finalOrderOutcome,
  recordFinalOrder,
} from '../src/record-final-order';

const RUN = RunId('dev-2024-09-16');
const SID = StrategyId('momentum');
const SPY = Symbol('SPY');
const SUBMITTED_AT = new Date('2024-09-16T19:30:00.000Z');
const FILLED_AT = new Date('2024-09-16T19:30:02.000Z');

function intentOf(side: Side, strategyId: StrategyId = SID): Intent {
  return {
    clientOrderId: ClientOrderId(`sb-${strategyId}-SPY-${side === 'buy' ? 'b' : 's'}0-abc`),
    runId: RUN,
    strategyId,
    symbol: SPY,
    side,
    qty: Quantity.parse('10'),
    state: 'SUBMITTED',
    brokerOrderId: 'order-1',
  };
}

function orderOf(
  intent: Intent,
  status: OrderStatus,
  filled: string,
  price: string | null = '500',
): BrokerOrder {
  return {
    id: BrokerOrderId('order-1'),
    clientOrderId: intent.clientOrderId,
    symbol: intent.symbol,
    side: intent.side,
    type: 'market',
    status,
    qty: intent.qty,
    notional: null,
    limitPrice: null,
    filledQty: Quantity.parse(filled),
    filledAvgPrice: price === null ? null : Price.parse(price),
    submittedAt: SUBMITTED_AT,
    filledAt: Quantity.parse(filled).isPositive() ? FILLED_AT : null,
  };
}

/** The intents' states, as execution's intent store keeps them. */
class MemoryIntents implements Pick<IntentStore, 'stateOf'> {
  readonly states = new Map<string, IntentState>();
  async stateOf(_runId: RunId, clientOrderId: ClientOrderId): Promise<IntentState | undefined> {
    return this.states.get(clientOrderId);
  }
}

/**
 * The ledger as execution's port promises it: one book per strategy with a version, and an
 * all-or-nothing write conditional on the intent being open and on the version read. Books are
 * read back as stored (lots and cash: no memory of applied fill ids), like the DynamoDB ledger's.
 */
class MemoryLedger implements ExecutionLedger {
  readonly books = new Map<string, VersionedBook>();
  readonly written: TradeOutcome[] = [];
  reads = 0;
  /** Run before and after each read of a book: what a concurrent writer does meanwhile. */
  beforeRead: () => void = () => undefined;
  afterRead: () => void = () => undefined;

  constructor(private readonly intents: MemoryIntents) {}

  fund(strategyId: StrategyId, cash: string, fills: Parameters<typeof applyFill>[1][] = []): void {
    let book: Book = { ...emptyBook(strategyId), cash: Money.parse(cash) };
    for (const f of fills) book = applyFill(book, f).book;
    this.store(book, 1);
  }

  async readBook(strategyId: StrategyId): Promise<VersionedBook> {
    this.reads += 1;
    this.beforeRead();
    const stored = this.books.get(strategyId);
    if (!stored) throw new Error(`strategy ${strategyId} has no book`);
    this.afterRead();
    return stored;
  }

  async recordOutcome(outcome: TradeOutcome): Promise<'recorded' | 'already-recorded'> {
    const { intent } = outcome;
    const state = this.intents.states.get(intent.clientOrderId);
    if (state && isFinal(state)) return 'already-recorded';
    if (outcome.fill) {
      const stored = this.books.get(intent.strategyId);
      if (!stored || stored.version !== outcome.fill.bookVersion) {
        throw new ConcurrencyError(`book ${intent.strategyId} changed since it was read`);
      }
      this.store(outcome.fill.application.book, stored.version + 1);
    }
    this.intents.states.set(intent.clientOrderId, outcome.finalState);
    this.written.push(outcome);
    return 'recorded';
  }

  /** Bumps a book's version, as a concurrent write of another trade of the book would. */
  touch(strategyId: StrategyId): void {
    const stored = this.books.get(strategyId);
    if (stored) this.books.set(strategyId, { ...stored, version: stored.version + 1 });
  }

  private store(book: Book, version: number): void {
    this.books.set(book.strategyId, { book: { ...book, appliedFillIds: new Set() }, version });
  }
}

function world(side: Side = 'buy', strategyId: StrategyId = SID) {
  const intent = intentOf(side, strategyId);
  const intents = new MemoryIntents();
  intents.states.set(intent.clientOrderId, 'SUBMITTED');
  const ledger = new MemoryLedger(intents);
  const held = {
    fillId: 'earlier',
    orderId: 'earlier',
    symbol: SPY,
    side: 'buy' as const,
    qty: Quantity.parse('10'),
    price: Price.parse('400'),
    fees: Money.ZERO,
    at: '2024-09-13T19:30:00.000Z',
  };
  ledger.fund(strategyId, '10000', side === 'sell' ? [held] : []);
  const sleeps: number[] = [];
  const deps = {
    intents,
    ledger,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  return { intent, intents, ledger, sleeps, deps };
}

const CAPITAL = Money.parse('30000');

describe('finalOrderOutcome', () => {
  const intent = intentOf('buy');

  it.each<[string, OrderStatus, string, string | null, Partial<FinalOrderOutcome>]>([
    ['a working order is not recorded yet', 'new', '0', null, { kind: 'working', status: 'new' }],
    [
      'a partially filled order still working is not recorded yet',
      'partially_filled',
      '4',
      '500',
      { kind: 'working' },
    ],
    ['a pending cancel may still fill', 'pending_cancel', '0', null, { kind: 'working' }],
    [
      'a rejection with nothing filled',
      'rejected',
      '0',
      null,
      { kind: 'unfilled', state: 'REJECTED', reason: 'broker status rejected' },
    ],
    [
      'a cancel with nothing filled',
      'canceled',
      '0',
      null,
      { kind: 'unfilled', state: 'CANCELED', reason: 'broker status canceled' },
    ],
    ['a done-for-day order is canceled', 'done_for_day', '0', null, { kind: 'unfilled', state: 'CANCELED' }],
    ['a replaced order is canceled', 'replaced', '0', null, { kind: 'unfilled', state: 'CANCELED' }],
    [
      'an expiry with nothing filled',
      'expired',
      '0',
      null,
      { kind: 'unfilled', state: 'EXPIRED', reason: 'broker status expired' },
    ],
    ['a full fill', 'filled', '10', '500.25', { kind: 'filled', state: 'FILLED' }],
    [
      'a partial fill then cancel keeps what filled',
      'canceled',
      '4',
      '500',
      { kind: 'partial', state: 'CANCELED' },
    ],
    [
      'a partial fill then expiry keeps what filled',
      'expired',
      '4',
      '500',
      { kind: 'partial', state: 'EXPIRED' },
    ],
    [
      'a filled order with nothing filled is invalid',
      'filled',
      '0',
      null,
      { kind: 'invalid', code: 'FILLED_WITHOUT_QUANTITY' },
    ],
    [
      'a fill with no average price is invalid',
      'filled',
      '10',
      null,
      { kind: 'invalid', code: 'MISSING_FILL_PRICE' },
    ],
    [
      'a partial fill with no average price is invalid',
      'canceled',
      '4',
      null,
      { kind: 'invalid', code: 'MISSING_FILL_PRICE' },
    ],
  ])('%s', (_name, status, filled, price, expected) => {
    expect(finalOrderOutcome(intent, orderOf(intent, status, filled, price))).toMatchObject(expected);
  });

  it('makes the fill of the broker order: its id, the filled quantity, the average price, no fees, the fill time', () => {
    const outcome = finalOrderOutcome(intent, orderOf(intent, 'canceled', '4', '500.25'));
    if (outcome.kind !== 'partial') throw new Error(`expected a partial fill, got ${outcome.kind}`);
    expect(outcome.fill).toEqual({
      fillId: 'order-1',
      orderId: 'order-1',
      symbol: SPY,
      side: 'buy',
      qty: Quantity.parse('4'),
      price: Price.parse('500.25'),
      fees: Money.ZERO,
      at: FILLED_AT.toISOString(),
    });
  });

  it('dates a fill the broker gave no fill time by the order’s submission', () => {
    const order = { ...orderOf(intent, 'filled', '10'), filledAt: null };
    const outcome = finalOrderOutcome(intent, order);
    expect(outcome.kind === 'filled' && outcome.fill.at).toBe(SUBMITTED_AT.toISOString());
  });

  it.each([...ORDER_STATUSES])('maps broker status %s to working or to a final intent state', (status) => {
    const outcome = finalOrderOutcome(intent, orderOf(intent, status, '0'));
    expect(
      outcome.kind === 'working' ||
        (outcome.kind === 'unfilled' && isFinal(outcome.state)) ||
        outcome.kind === 'invalid',
    ).toBe(true);
    expect(outcome).not.toMatchObject({ code: 'UNEXPECTED_ORDER_STATUS' });
  });
});

describe('recordFinalOrder', () => {
  it('records an order that ended with nothing filled with its reason, without reading the book', async () => {
    const { intent, ledger, intents, deps } = world();
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'expired', '0'),
      strategyCapital: CAPITAL,
    });
    expect(recorded).toMatchObject({ kind: 'recorded', outcome: { kind: 'unfilled', state: 'EXPIRED' } });
    expect(ledger.written).toEqual([{ intent, finalState: 'EXPIRED', reason: 'broker status expired' }]);
    expect(ledger.reads).toBe(0);
    expect(intents.states.get(intent.clientOrderId)).toBe('EXPIRED');
  });

  it('records a fill folded into the book as read, with the plan’s capital and no attribution for a book’s own trade', async () => {
    const { intent, ledger, deps } = world();
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10', '500'),
      strategyCapital: CAPITAL,
    });
    expect(recorded).toMatchObject({ kind: 'recorded', outcome: { kind: 'filled', state: 'FILLED' } });
    const [written] = ledger.written;
    expect(written?.finalState).toBe('FILLED');
    expect(written?.fill?.bookVersion).toBe(1);
    expect(written?.fill?.strategyCapital).toEqual(CAPITAL);
    expect(written?.fill && 'attribution' in written.fill).toBe(false);
    expect(ledger.books.get(SID)?.book.cash.toString()).toBe('5000');
  });

  it('records a LEGACY fill with the attribution it is given', async () => {
    const { intent, ledger, deps } = world('buy', LEGACY);
    const attribution = {
      names: [StrategyId('a'), StrategyId('b')],
      weights: { a: Weight.parse('0.25'), b: Weight.parse('0.75') },
    };
    await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10', '500'),
      strategyCapital: CAPITAL,
      attribution,
    });
    expect(ledger.written[0]?.fill?.attribution).toEqual(attribution);
  });

  it('records a partial fill that ended CANCELED with the quantity that filled', async () => {
    const { intent, ledger, deps } = world('sell');
    await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'canceled', '4', '510'),
      strategyCapital: CAPITAL,
    });
    const [written] = ledger.written;
    expect(written?.finalState).toBe('CANCELED');
    expect(written?.fill?.fill.qty.toString()).toBe('4');
    expect(written?.fill?.application.realizedPnl.toString()).toBe('440');
  });

  it('leaves an intent found final before the write alone: nothing read, nothing written', async () => {
    const { intent, intents, ledger, deps } = world();
    intents.states.set(intent.clientOrderId, 'FILLED');
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10'),
      strategyCapital: CAPITAL,
    });
    expect(recorded).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(ledger.reads).toBe(0);
    expect(ledger.written).toEqual([]);
  });

  it('reports an outcome the ledger finds already written as already-recorded', async () => {
    const { intent, intents, ledger, deps } = world();
    intents.states.set(intent.clientOrderId, 'REJECTED');
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'rejected', '0'),
      strategyCapital: CAPITAL,
    });
    expect(recorded).toMatchObject({ kind: 'already-recorded', outcome: { state: 'REJECTED' } });
    expect(ledger.written).toEqual([]);
  });

  it('reads the book again after it changed, pausing 20 ms, and records the fill once', async () => {
    const { intent, ledger, sleeps, deps } = world();
    ledger.afterRead = () => {
      ledger.afterRead = () => undefined;
      ledger.touch(SID); // another trade of the book lands after our read
    };
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10'),
      strategyCapital: CAPITAL,
    });
    expect(recorded.kind).toBe('recorded');
    expect(sleeps).toEqual([20]);
    expect(ledger.reads).toBe(2);
    expect(ledger.written).toHaveLength(1);
    expect(ledger.written[0]?.fill?.bookVersion).toBe(2);
  });

  it('folds the fill into the book the caller read for an intent it knows open, reading neither the book nor the state', async () => {
    const { intent, ledger, intents, deps } = world();
    const stored = ledger.books.get(SID);
    if (!stored) throw new Error('no book');
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10'),
      strategyCapital: CAPITAL,
      knownOpen: true,
      book: Promise.resolve(stored),
    });
    expect(recorded.kind).toBe('recorded');
    expect(ledger.reads).toBe(0);
    expect(ledger.written[0]?.fill?.bookVersion).toBe(1);
    expect(intents.states.get(intent.clientOrderId)).toBe('FILLED');
  });

  it('reads the book again when the book the caller read changed before the write, and records the fill once', async () => {
    const { intent, ledger, sleeps, deps } = world();
    const stored = ledger.books.get(SID);
    if (!stored) throw new Error('no book');
    ledger.touch(SID); // another trade of the book lands after the caller's read
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10'),
      strategyCapital: CAPITAL,
      knownOpen: true,
      book: Promise.resolve(stored),
    });
    expect(recorded.kind).toBe('recorded');
    expect(sleeps).toEqual([20]);
    expect(ledger.reads).toBe(1);
    expect(ledger.written).toHaveLength(1);
    expect(ledger.written[0]?.fill?.bookVersion).toBe(2);
  });

  it('finds the fill already recorded when the book the caller read with its id holds it', async () => {
    const { intent, intents, ledger, deps } = world();
    const order = orderOf(intent, 'filled', '10');
    const stored = ledger.books.get(SID);
    if (!stored) throw new Error('no book');
    // A twin recorded the fill before the caller's read (made with the fill's id).
    intents.states.set(intent.clientOrderId, 'FILLED');
    const recorded = await recordFinalOrder(deps, {
      intent,
      order,
      strategyCapital: CAPITAL,
      knownOpen: true,
      book: Promise.resolve({ ...stored, book: { ...stored.book, appliedFillIds: new Set(['order-1']) } }),
    });
    expect(recorded).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(ledger.written).toEqual([]);
  });

  it('reads the state and the book itself, ignoring a book handed over, for an intent not known open', async () => {
    const { intent, intents, ledger, deps } = world();
    intents.states.set(intent.clientOrderId, 'FILLED');
    const stored = ledger.books.get(SID);
    if (!stored) throw new Error('no book');
    const recorded = await recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, 'filled', '10'),
      strategyCapital: CAPITAL,
      book: Promise.resolve(stored),
    });
    expect(recorded).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(ledger.written).toEqual([]);
  });

  it.each<[string, OrderStatus, string]>([
    ['a fill', 'filled', '10'],
    ['an order ended with nothing filled', 'expired', '0'],
  ])(
    'releases the caller’s lease in the transaction that records %s, and marks it released',
    async (_name, status, filled) => {
      const { intent, ledger, deps } = world();
      let released = 0;
      const lease = { symbol: SPY, owner: intent.clientOrderId, released: () => released++ };
      const recorded = await recordFinalOrder(deps, {
        intent,
        order: orderOf(intent, status, filled),
        strategyCapital: CAPITAL,
        lease,
      });
      expect(recorded.kind).toBe('recorded');
      expect(ledger.written[0]?.releaseLease).toEqual({ symbol: SPY, owner: intent.clientOrderId });
      expect(released).toBe(1);
    },
  );

  it('leaves the caller’s lease unreleased when the outcome is found already recorded or the intent final', async () => {
    for (const found of ['REJECTED', 'FILLED'] as const) {
      const { intent, intents, deps } = world();
      intents.states.set(intent.clientOrderId, found);
      let released = 0;
      const lease = { symbol: SPY, owner: intent.clientOrderId, released: () => released++ };
      const order = found === 'FILLED' ? orderOf(intent, 'filled', '10') : orderOf(intent, 'rejected', '0');
      const recorded = await recordFinalOrder(deps, { intent, order, strategyCapital: CAPITAL, lease });
      expect(recorded.kind).toBe(found === 'FILLED' ? 'already-final' : 'already-recorded');
      expect(released).toBe(0);
    }
  });

  it('gives up with the ConcurrencyError after 8 attempts, pausing longer each time', async () => {
    const { intent, ledger, sleeps, deps } = world();
    ledger.afterRead = () => ledger.touch(SID);
    await expect(
      recordFinalOrder(deps, { intent, order: orderOf(intent, 'filled', '10'), strategyCapital: CAPITAL }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(ledger.reads).toBe(8);
    expect(sleeps).toEqual([20, 40, 60, 80, 100, 120, 140]);
    expect(ledger.written).toEqual([]);
  });

  it('returns already-final when another writer recorded the same fill between the state check and the book read', async () => {
    const { intent, intents, ledger, deps } = world();
    const order = orderOf(intent, 'filled', '10');
    ledger.beforeRead = () => {
      ledger.beforeRead = () => undefined;
      const outcome = finalOrderOutcome(intent, order);
      if (outcome.kind !== 'filled') throw new Error('expected a fill');
      const stored = ledger.books.get(SID);
      if (!stored) throw new Error('no book');
      ledger.books.set(SID, {
        book: { ...applyFill(stored.book, outcome.fill).book, appliedFillIds: new Set() },
        version: stored.version + 1,
      });
      intents.states.set(intent.clientOrderId, 'FILLED');
    };
    const recorded = await recordFinalOrder(deps, { intent, order, strategyCapital: CAPITAL });
    expect(recorded).toEqual({ kind: 'already-final', state: 'FILLED' });
    expect(ledger.written).toEqual([]);
    expect(ledger.books.get(SID)?.book.lots).toHaveLength(1);
  });

  it('throws the collision when the book holds the fill but the intent is still open', async () => {
    const { intent, ledger, deps } = world();
    const order = orderOf(intent, 'filled', '10');
    const outcome = finalOrderOutcome(intent, order);
    if (outcome.kind !== 'filled') throw new Error('expected a fill');
    ledger.fund(SID, '10000', [outcome.fill]);
    await expect(recordFinalOrder(deps, { intent, order, strategyCapital: CAPITAL })).rejects.toBeInstanceOf(
      LotKeyCollisionError,
    );
    expect(ledger.written).toEqual([]);
  });

  it.each<[string, OrderStatus, string, string | null, string]>([
    ['a working order', 'accepted', '0', null, 'ORDER_STILL_WORKING'],
    ['a fill with no price', 'filled', '10', null, 'MISSING_FILL_PRICE'],
    ['a filled order with nothing filled', 'filled', '0', null, 'FILLED_WITHOUT_QUANTITY'],
  ])('refuses %s with a BooksError and writes nothing', async (_name, status, filled, price, code) => {
    const { intent, ledger, deps } = world();
    const attempt = recordFinalOrder(deps, {
      intent,
      order: orderOf(intent, status, filled, price),
      strategyCapital: CAPITAL,
    });
    await expect(attempt).rejects.toBeInstanceOf(BooksError);
    await expect(attempt).rejects.toMatchObject({ code });
    expect(ledger.written).toEqual([]);
  });
});

describe('the attribution of a trade', () => {
  const trade: PlannedTrade = {
    symbol: SPY,
    side: 'buy',
    qty: Quantity.parse('10'),
    price: Price.parse('500'),
    estimatedValue: Money.parse('5000'),
    currentValue: Money.ZERO,
    targetValue: Money.parse('5000'),
    reason: 'enter',
    leg: 0,
  };
  const ctx = {
    runId: RUN,
    strategyId: LEGACY,
    file: 'legacy',
    allocation: Weight.parse('0.6'),
    strategyCapital: CAPITAL,
    plannedAt: '2024-09-16T19:30:00.000Z',
  };
  const plan = { SPY: { zeta: Weight.parse('0.4'), alpha: Weight.parse('0.6') } };

  it('is none for a book’s own trade', () => {
    expect(attributionOfRequest(executionRequestFor(trade, ctx))).toBeUndefined();
    expect(attributionOfPlan(undefined, SPY)).toBeUndefined();
  });

  it('is the request’s strategy names and weights for a legacy trade', () => {
    expect(attributionOfRequest(executionRequestFor(trade, { ...ctx, attribution: plan }))).toEqual({
      names: [StrategyId('alpha'), StrategyId('zeta')],
      weights: { zeta: Weight.parse('0.4'), alpha: Weight.parse('0.6') },
    });
  });

  it.each([
    ['a symbol the plan attributes', SPY],
    ['a symbol the plan does not attribute', Symbol('TLT')],
  ])('from the plan equals the one from the request the plan sent, for %s', (_name, symbol) => {
    const request = executionRequestFor({ ...trade, symbol }, { ...ctx, attribution: plan });
    expect(attributionOfPlan(plan, symbol)).toEqual(attributionOfRequest(request));
  });
});
