import { type BrokerOrder, BrokerOrderId } from '@books/broker';
import { ClientOrderId, ManualClock, Money, Price, Quantity, RunId, StrategyId, Symbol } from '@books/core';
import {
  BookRepository,
  encodeRunStrategy,
  encodeSymbolLock,
  IntentRepository,
  keys,
  LedgerTable,
  RunRepository,
  TradeRepository,
} from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerIntentStore } from '../src/adapters/ledger-intents';
import { LedgerExecutionLedger } from '../src/adapters/ledger-outcomes';
import { LedgerSymbolLocks } from '../src/adapters/ledger-symbol-locks';
import type { Intent } from '../src/ports';
import { type FinalOrderRecord, recordFinalOrder } from '../src/record-final-order';

/**
 * A fill's transaction releases its writer's symbol lease, on DynamoDB Local: the lease is gone
 * with the fill, in one write; a lease taken over meanwhile stays the other order's and the fill
 * is recorded all the same; an outcome found already recorded leaves the lease to withSymbol.
 */
describe("the fill's transaction releases the symbol's lease", () => {
  let test: TestTable;
  let table: LedgerTable;
  let transacts: string[][] = [];
  const clock = new ManualClock('2024-03-15T19:30:00.000Z');
  const runId = RunId('lease-2024-03-15');
  const strategyId = StrategyId('momentum');
  const capital = Money.parse('10000');

  beforeAll(async () => {
    test = await createTestTable('outcome-lease');
    table = new LedgerTable(test.client, test.tableName);
    // Every transaction the table is asked for, by its items' labels.
    const transact = table.transact.bind(table);
    table.transact = (items, options) => {
      transacts.push(items.map((i) => i.label));
      return transact(items, options);
    };
    await table.put(
      encodeRunStrategy({
        runId,
        strategyId,
        flow: 'per-strategy',
        status: 'PLANNED',
        pendingSells: 0,
        heldBuys: [],
        updatedAt: clock.now().toISOString(),
      }),
    );
    await table.transact([
      new BookRepository(table).openCashItem({
        strategyId,
        cash: Money.parse('10000'),
        realizedPnl: Money.ZERO,
        updatedAt: clock.now().toISOString(),
      }),
    ]);
  });
  beforeEach(() => {
    transacts = [];
  });
  afterAll(() => test.cleanup());

  const intents = () => new LedgerIntentStore(new IntentRepository(table), clock);
  const ledger = () =>
    new LedgerExecutionLedger(
      table,
      new BookRepository(table),
      new TradeRepository(table),
      new RunRepository(table),
      clock,
    );
  const deps = () => ({ intents: intents(), ledger: ledger(), sleep: async () => undefined });

  /** A BUY of 1 `symbol` claimed and SUBMITTED as broker order `orderId`, and its filled order. */
  async function submitted(symbol: string, orderId: string): Promise<{ intent: Intent; order: BrokerOrder }> {
    const claimed = await intents().claim({
      clientOrderId: ClientOrderId(`sb-momentum-${symbol}-b0-${orderId}`),
      runId,
      strategyId,
      symbol: Symbol(symbol),
      side: 'buy',
      qty: Quantity.parse('1'),
    });
    await intents().transition(claimed.clientOrderId, runId, 'NEW', 'SUBMITTED', { brokerOrderId: orderId });
    const intent: Intent = { ...claimed, state: 'SUBMITTED', brokerOrderId: orderId };
    transacts = [];
    const order: BrokerOrder = {
      id: BrokerOrderId(orderId),
      clientOrderId: intent.clientOrderId,
      symbol: intent.symbol,
      side: 'buy',
      type: 'market',
      status: 'filled',
      qty: intent.qty,
      notional: null,
      limitPrice: null,
      filledQty: intent.qty,
      filledAvgPrice: Price.parse('100'),
      submittedAt: clock.now(),
      filledAt: clock.now(),
    };
    return { intent, order };
  }

  async function lockOwner(symbol: string): Promise<unknown> {
    return (await table.getItem(keys.symbolLock(Symbol(symbol)), { consistent: true }))?.owner?.S;
  }

  it('deletes the lease in the fill’s own transaction: no release of its own afterwards', async () => {
    const { intent, order } = await submitted('SPY', 'order-spy');
    const locks = new LedgerSymbolLocks(table, clock, async () => undefined);
    const recorded = await locks.withSymbol(intent.symbol, intent.clientOrderId, (lease) =>
      recordFinalOrder(deps(), { intent, order, strategyCapital: capital, knownOpen: true, lease }),
    );
    expect(recorded.kind).toBe('recorded');
    expect(await lockOwner('SPY')).toBeUndefined();
    expect(transacts).toHaveLength(1);
    expect(transacts[0]).toContain('lock SPY');
    expect(await intents().stateOf(runId, intent.clientOrderId)).toBe('FILLED');
  });

  it('records the fill all the same when the lease expired and another order took it meanwhile, leaving that order’s lease', async () => {
    const { intent, order } = await submitted('QQQ', 'order-qqq');
    const wall = new ManualClock('2026-12-06T01:00:00Z');
    const locks = new LedgerSymbolLocks(table, wall, async () => undefined, { leaseMs: 60_000 });
    const recorded = await locks.withSymbol(intent.symbol, intent.clientOrderId, async (lease) => {
      // This holder stalled past its lease; another order took the symbol over.
      wall.set(new Date('2026-12-06T01:02:00Z'));
      await table.put(encodeSymbolLock(intent.symbol, ClientOrderId('sb-other-QQQ'), Date.now() + 60_000));
      return recordFinalOrder(deps(), { intent, order, strategyCapital: capital, knownOpen: true, lease });
    });
    expect(recorded.kind).toBe('recorded');
    expect(await intents().stateOf(runId, intent.clientOrderId)).toBe('FILLED');
    expect(await lockOwner('QQQ')).toBe('sb-other-QQQ');
    // The fill with the release (refused: the lease's condition alone), then the fill alone.
    expect(transacts.map((labels) => labels.includes('lock QQQ'))).toEqual([true, false]);
    const book = await ledger().readBook(strategyId);
    expect(book.book.lots.filter((l) => l.symbol === 'QQQ').map((l) => l.openQty.toString())).toEqual(['1']);
  });

  it('leaves the lease to withSymbol when the outcome is found already recorded', async () => {
    const { intent, order } = await submitted('TLT', 'order-tlt');
    // The book as read for the fill (while the intent moved to SUBMITTED) before a twin delivery
    // recorded the fill (without a lease of its own).
    const readBefore = ledger().readBook(strategyId, [order.id]);
    await readBefore;
    await recordFinalOrder(deps(), { intent, order, strategyCapital: capital });
    transacts = [];
    const locks = new LedgerSymbolLocks(table, clock, async () => undefined);
    const recorded: FinalOrderRecord = await locks.withSymbol(intent.symbol, intent.clientOrderId, (lease) =>
      recordFinalOrder(deps(), {
        intent,
        order,
        strategyCapital: capital,
        knownOpen: true,
        book: readBefore,
        lease,
      }),
    );
    expect(recorded.kind).toBe('already-recorded');
    expect(await lockOwner('TLT')).toBeUndefined();
    // The refused fill (with the release), then withSymbol's own release.
    expect(transacts).toEqual([expect.arrayContaining(['lock TLT']), ['lock TLT']]);
    const book = await ledger().readBook(strategyId);
    expect(book.book.lots.filter((l) => l.symbol === 'TLT')).toHaveLength(1);
  });
});
