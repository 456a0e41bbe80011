import type { ExternalRow, Position } from '@books/broker';
import {
  createLogger,
  EXTERNAL,
  LEGACY,
  ManualClock,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
} from '@books/core';
import { type EventPublisher, InProcessEventBus } from '@books/events';
import type { ReconResult } from '@books/ledger-client';
import { applyFill, type Book, emptyBook } from '@books/portfolio';
import { reconciliationCheck } from '../src/breaks';
import type { ExternalBookSync, ReconcileAccountPorts, RunIntent } from '../src/ports';
import { reconcileAccount } from '../src/reconcile-account';

const ALPHA = StrategyId('alpha');
const BETA = StrategyId('beta');
const SPY = Symbol('SPY');
const QQQ = Symbol('QQQ');
const DATE = TradingDate('2024-09-16');
const NOW = '2024-09-16T20:15:00.000Z';

function bookOf(strategyId: StrategyId, cash: string, holdings: Array<[Symbol, string]> = []): Book {
  let book: Book = { ...emptyBook(strategyId), cash: Money.parse(cash) };
  for (const [symbol, qty] of holdings) {
    book = applyFill(book, {
      fillId: `f-${strategyId}-${symbol}`,
      orderId: `o-${strategyId}-${symbol}`,
      symbol,
      side: 'buy',
      qty: Quantity.parse(qty),
      price: Price.parse('100'),
      fees: Money.ZERO,
      at: '2024-09-13T15:00:00.000Z',
    }).book;
    // The fill's cost is the book's own business: keep the cash the test states.
    book = { ...book, cash: Money.parse(cash) };
  }
  return book;
}

function position(symbol: Symbol, qty: string, avg = '100'): Position {
  return {
    symbol,
    qty: Quantity.parse(qty),
    avgEntryPrice: Price.parse(avg),
    marketValue: Money.parse('0'),
  };
}

/** In-memory ports over a world the test states; records what the reconciliation wrote and logged. */
function world(
  init: {
    books?: Book[];
    positions?: Position[];
    brokerCash?: string;
    /** The pool's balance; absent, what the broker's cash leaves beside the books (a consistent ledger). */
    pool?: string;
    intents?: RunIntent[];
    run?: boolean;
    external?: ExternalBookSync;
    takenInstants?: string[];
    otherClasses?: ExternalRow[];
    events?: EventPublisher;
  } = {},
) {
  const books = new Map<StrategyId, Book>((init.books ?? []).map((b) => [b.strategyId, b]));
  const stored: ReconResult[] = [];
  const taken = new Set(init.takenInstants ?? []);
  const syncs: Array<Parameters<ExternalBookSync['sync']>[0]> = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    { service: 'test' },
    { level: 'debug', destination: { write: (s: string) => lines.push(JSON.parse(s)) } },
  );
  const ports: ReconcileAccountPorts = {
    stage: 'test',
    config: { strategyIds: async () => [ALPHA, BETA] },
    runs: {
      ofDate: async (date) =>
        init.run === false ? undefined : { runId: RunId(`test-${date}`), intents: init.intents ?? [] },
    },
    books: {
      read: async (id) => {
        const book = books.get(id);
        return { book: book ?? emptyBook(id), exists: book !== undefined, version: book ? 1 : undefined };
      },
      bookIds: async () => [...books.keys()].sort(),
    },
    broker: {
      positions: async () => init.positions ?? [],
      account: async () => ({
        cash: Money.parse(init.brokerCash ?? '0'),
        equity: Money.parse(init.brokerCash ?? '0'),
      }),
      otherClasses: async () => init.otherClasses ?? [],
    },
    pool: {
      balance: async () =>
        init.pool !== undefined
          ? Money.parse(init.pool)
          : Money.parse(init.brokerCash ?? '0').minus(
              Money.sum([...books.values()].filter((b) => b.strategyId !== EXTERNAL).map((b) => b.cash)),
            ),
    },
    external: init.external ?? {
      // Records the unowned quantities into EXTERNAL, as the ledger adapter does.
      sync: async (input) => {
        syncs.push(input);
        const held: Array<[Symbol, string]> = [...input.unowned]
          .filter(([, q]) => q.isPositive())
          .map(([s, q]) => [s, q.toString()]);
        books.set(EXTERNAL, bookOf(EXTERNAL, '0', held));
        return { entries: [] };
      },
    },
    results: {
      put: async (result) => {
        if (taken.has(result.at)) return false;
        taken.add(result.at);
        stored.push(result);
        return true;
      },
    },
    clock: new ManualClock(NOW),
    logger,
    ...(init.events ? { events: init.events } : {}),
  };
  return { ports, stored, syncs, lines };
}

describe('reconcileAccount', () => {
  it('finds nothing to report when the books explain every position, and stores the result at the clock instant', async () => {
    const w = world({
      books: [bookOf(ALPHA, '900', [[SPY, '10']]), bookOf(BETA, '50', [[QQQ, '2']])],
      positions: [position(SPY, '10'), position(QQQ, '2')],
      brokerCash: '1000',
    });
    const { summary, stored } = await reconcileAccount(w.ports, { date: DATE });
    expect(summary).toEqual({
      date: DATE,
      ok: true,
      breaks: [],
      cash: { status: 'MATCH', broker: '1000', books: '950', unallocated: '50' },
      external: [],
      retired: [],
      activities: [],
    });
    expect(stored.at).toBe(NOW);
    expect(stored.runId).toBe(`test-${DATE}`);
    expect(w.stored).toEqual([stored]);
    const spy = stored.entries.find((e) => e.symbol === SPY);
    expect(spy?.status).toBe('MATCH');
    expect(spy?.byStrategy.map((b) => [b.strategyId, b.qty.toString()])).toEqual([[ALPHA, '10']]);
    const summaryLine = w.lines.find((l) => l.event === 'reconciled');
    expect(summaryLine).toMatchObject({ level: 'info', ReconciliationBreaks: 0, Stage: 'test', ok: true });
  });

  it('names each broker activity waiting for an operator as a break (logged and counted)', async () => {
    const w = world({ books: [bookOf(ALPHA, '1000')], brokerCash: '1000' });
    const pending = {
      id: 'a1::MA',
      type: 'MA',
      symbol: 'XYZ',
      reason: 'MA of XYZ carries no terms to map the lots by',
    };
    const { summary } = await reconcileAccount(
      { ...w.ports, activities: { pending: async () => [pending] } },
      { date: DATE },
    );
    expect(summary.activities).toEqual([pending]);
    expect(w.lines.find((l) => l.activityId === 'a1::MA')).toMatchObject({
      level: 'error',
      event: 'reconciliation-break',
    });
    expect(w.lines.find((l) => l.event === 'reconciled')).toMatchObject({
      level: 'error',
      ReconciliationBreaks: 1,
    });
  });

  it('takes the pending activities the caller just read instead of reading them again', async () => {
    const w = world({ books: [bookOf(ALPHA, '1000')], brokerCash: '1000' });
    const pending = { id: 'a2::MA', type: 'MA', symbol: 'XYZ', reason: 'no terms' };
    const read = jest.fn(async () => []);
    const { summary } = await reconcileAccount(
      { ...w.ports, activities: { pending: read } },
      { date: DATE, pendingActivities: [pending] },
    );
    expect(summary.activities).toEqual([pending]);
    expect(read).not.toHaveBeenCalled();
  });

  it('reads the pending activities with the books, not after the result is stored', async () => {
    const w = world({ books: [bookOf(ALPHA, '1000')], brokerCash: '1000' });
    const order: string[] = [];
    const ports: ReconcileAccountPorts = {
      ...w.ports,
      books: {
        ...w.ports.books,
        read: async (id) => {
          order.push(`book ${id}`);
          return w.ports.books.read(id);
        },
      },
      activities: {
        pending: async () => {
          order.push('activities');
          return [];
        },
      },
      results: {
        put: async (result) => {
          order.push('stored');
          return w.ports.results.put(result);
        },
      },
    };
    await reconcileAccount(ports, { date: DATE });
    expect(order.indexOf('activities')).toBeLessThan(order.indexOf('book LEGACY'));
    expect(order.at(-1)).toBe('stored');
  });

  it('stores the result, then fails, when the pending activities cannot be read', async () => {
    const w = world({ books: [bookOf(ALPHA, '1000')], brokerCash: '1000' });
    const failing = reconcileAccount(
      {
        ...w.ports,
        activities: {
          pending: async () => {
            throw new Error('activities unreadable');
          },
        },
      },
      { date: DATE },
    );
    await expect(failing).rejects.toThrow('activities unreadable');
    expect(w.stored).toHaveLength(1);
  });

  it('reconciles today (the market date of the clock) when no date is asked', async () => {
    const { summary } = await reconcileAccount(world().ports);
    expect(summary.date).toBe(DATE);
  });

  it('lets an order of the run still in flight explain the broker position, but not a final one', async () => {
    const intent = (state: string): RunIntent => ({
      strategyId: ALPHA,
      symbol: SPY,
      side: 'buy',
      qty: Quantity.parse('5'),
      state,
    });
    const base = { books: [bookOf(ALPHA, '0', [[SPY, '10']])], positions: [position(SPY, '15')] };
    const submitted = await reconcileAccount(world({ ...base, intents: [intent('SUBMITTED')] }).ports, {
      date: DATE,
    });
    expect(submitted.summary.breaks).toEqual([]);
    const filled = await reconcileAccount(world({ ...base, intents: [intent('FILLED')] }).ports, {
      date: DATE,
    });
    expect(filled.summary.breaks).toEqual([{ symbol: SPY, status: 'DRIFT', unexplained: '5' }]);
  });

  it('records an unowned position into EXTERNAL and still reports it as an UNOWNED break, at error level', async () => {
    const w = world({ positions: [position(QQQ, '3', '42.5')], brokerCash: '10' });
    const { summary, stored } = await reconcileAccount(w.ports, { date: DATE, trigger: 'run-complete' });
    expect(w.syncs).toHaveLength(1);
    expect(w.syncs[0]?.unowned.get(QQQ)?.toString()).toBe('3');
    expect(w.syncs[0]?.prices.get(QQQ)?.toString()).toBe('42.5');
    expect(summary.ok).toBe(false);
    expect(summary.breaks).toEqual([{ symbol: QQQ, status: 'UNOWNED', unexplained: '3' }]);
    expect(summary.external).toEqual([{ symbol: QQQ, qty: '3' }]);
    const entry = stored.entries.find((e) => e.symbol === QQQ);
    expect(entry?.booksQty.toString()).toBe('3');
    expect(entry?.byStrategy.map((b) => [b.strategyId, b.qty.toString()])).toEqual([[EXTERNAL, '3']]);
    expect(w.lines.find((l) => l.event === 'reconciliation-break')).toMatchObject({ symbol: QQQ });
    expect(w.lines.find((l) => l.event === 'reconciled')).toMatchObject({
      level: 'error',
      trigger: 'run-complete',
      ReconciliationBreaks: 1,
    });
  });

  it('takes what EXTERNAL holds from the sync when it says, reading the book only once, with the others', async () => {
    const w = world({ positions: [position(QQQ, '3', '42.5')], brokerCash: '10' });
    const read = jest.fn(w.ports.books.read);
    const { summary } = await reconcileAccount(
      {
        ...w.ports,
        books: { ...w.ports.books, read },
        external: { sync: async () => ({ entries: [], held: new Map([[QQQ, Quantity.parse('3')]]) }) },
      },
      { date: DATE },
    );
    expect(summary.external).toEqual([{ symbol: QQQ, qty: '3' }]);
    expect(read.mock.calls.filter(([id]) => id === EXTERNAL)).toHaveLength(1);
  });

  it('hands the sync the EXTERNAL book it read with the others, so the sync does not read it again', async () => {
    const w = world({
      books: [bookOf(EXTERNAL, '0', [[QQQ, '1']])],
      positions: [position(QQQ, '3')],
      brokerCash: '10',
      pool: '10',
    });
    await reconcileAccount(w.ports, { date: DATE });
    expect(w.syncs[0]?.book).toMatchObject({ exists: true, version: 1 });
    expect(w.syncs[0]?.book?.book.lots.map((l) => [l.symbol, l.openQty.toString()])).toEqual([[QQQ, '1']]);
  });

  it('answers what it read, books then broker: every book (absent ones empty), the pool and the account', async () => {
    const w = world({
      books: [bookOf(ALPHA, '900', [[SPY, '10']])],
      positions: [position(SPY, '10')],
      brokerCash: '1000',
      pool: '100',
    });
    const { read } = await reconcileAccount(w.ports, { date: DATE });
    expect([...read.books].map(([id, r]) => [id, r.exists, r.book.cash.toString()])).toEqual([
      [LEGACY, false, '0'],
      [ALPHA, true, '900'],
      [BETA, false, '0'],
      [EXTERNAL, false, '0'],
    ]);
    expect(read.pool?.toString()).toBe('100');
    expect(read.positions.map((p) => p.symbol)).toEqual([SPY]);
    expect(read.account.cash.toString()).toBe('1000');
  });

  it('answers an unopened pool as undefined in what it read, and reconciles it as zero', async () => {
    const w = world({ brokerCash: '0' });
    const { read, summary } = await reconcileAccount(
      { ...w.ports, pool: { balance: async () => undefined } },
      { date: DATE },
    );
    expect(read.pool).toBeUndefined();
    expect(summary.cash.unallocated).toBe('0');
  });

  it('reports the breaks all the same when the EXTERNAL book cannot be updated', async () => {
    const w = world({
      positions: [position(QQQ, '3')],
      external: {
        sync: async () => {
          throw new Error('table unavailable');
        },
      },
    });
    const { summary } = await reconcileAccount(w.ports, { date: DATE });
    expect(summary.breaks.map((b) => b.status)).toEqual(['UNOWNED']);
    expect(w.lines.find((l) => l.event === 'external-book-skipped')?.msg).toBe(
      'the EXTERNAL book could not be updated: table unavailable',
    );
  });

  it('keeps a book whose strategy left the configuration as an owner (retired): its positions explained, not DRIFT', async () => {
    const GONE = StrategyId('gone');
    const w = world({
      books: [
        bookOf(ALPHA, '100', [[SPY, '10']]),
        bookOf(GONE, '30', [
          [SPY, '5'],
          [QQQ, '1'],
        ]),
      ],
      positions: [position(SPY, '15'), position(QQQ, '1')],
      brokerCash: '130',
    });
    const { summary, stored } = await reconcileAccount(w.ports, { date: DATE });
    expect(summary).toMatchObject({ ok: true, breaks: [], retired: [GONE] });
    expect(summary.cash).toEqual({ status: 'MATCH', broker: '130', books: '130', unallocated: '0' });
    const spy = stored.entries.find((e) => e.symbol === SPY);
    expect(spy?.byStrategy.map((b) => [b.strategyId, b.qty.toString()])).toEqual([
      [ALPHA, '10'],
      [GONE, '5'],
    ]);
    expect(w.lines.find((l) => l.event === 'retired-books')).toMatchObject({ level: 'warn', books: [GONE] });
  });

  it('does not call an emptied book of a removed strategy retired', async () => {
    const w = world({ books: [bookOf(StrategyId('emptied'), '0')], brokerCash: '0' });
    const { summary } = await reconcileAccount(w.ports, { date: DATE });
    expect(summary).toMatchObject({ ok: true, retired: [] });
  });

  it('counts the LEGACY book as an owner and its cash in the books', async () => {
    const w = world({
      books: [bookOf(LEGACY, '200', [[SPY, '4']])],
      positions: [position(SPY, '4')],
      brokerCash: '200',
    });
    const { summary } = await reconcileAccount(w.ports, { date: DATE });
    expect(summary.ok).toBe(true);
    expect(summary.cash).toEqual({ status: 'MATCH', broker: '200', books: '200', unallocated: '0' });
  });

  it('reports rows of classes the books never trade (an option, a multi-leg order) as external, never a break', async () => {
    const w = world({
      brokerCash: '0',
      otherClasses: [
        { kind: 'position', assetClass: 'us_option', symbol: 'AAPL250620C00100000' },
        { kind: 'order', assetClass: '', orderClass: 'mleg', symbol: '', id: 'o-1' },
      ],
    });
    const { summary } = await reconcileAccount(w.ports, { date: DATE });
    expect(summary.ok).toBe(true);
    expect(summary.breaks).toEqual([]);
    expect(summary.otherClasses).toEqual([
      { kind: 'position', assetClass: 'us_option', symbol: 'AAPL250620C00100000' },
      { kind: 'order', assetClass: 'mleg', symbol: '' },
    ]);
  });

  it('stores a result whose instant is taken at the next free millisecond, never dropping it', async () => {
    const w = world({ takenInstants: [NOW, '2024-09-16T20:15:00.001Z'], run: false });
    const { stored } = await reconcileAccount(w.ports, { date: DATE });
    expect(stored.at).toBe('2024-09-16T20:15:00.002Z');
    expect(stored.runId).toBeUndefined();
  });
});

describe('reconciliation break events', () => {
  it('publishes each break (and a cash break) after the result is stored, with ids of day, subject and status', async () => {
    const bus = new InProcessEventBus();
    const w = world({ positions: [position(QQQ, '3', '42.5')], brokerCash: '10', pool: '0', events: bus });
    await reconcileAccount(w.ports, { date: DATE, runId: 'test-run', trigger: 'run-complete' });
    expect(w.stored).toHaveLength(1);
    expect(bus.published.map((e) => e.id)).toEqual([
      `ReconciliationBreak:${DATE}:${QQQ}:UNOWNED`,
      `ReconciliationBreak:${DATE}:CASH:DRIFT`,
    ]);
    const [first] = bus.published;
    expect(first?.type === 'ReconciliationBreak' && first.detail).toMatchObject({
      runId: 'test-run',
      trigger: 'run-complete',
      unexplained: '3',
    });
  });

  it('publishes nothing for a clean account', async () => {
    const bus = new InProcessEventBus();
    await reconcileAccount(world({ events: bus }).ports, { date: DATE });
    expect(bus.published).toEqual([]);
  });

  it("fails a reconciliation whose breaks cannot be published, once the result is stored (the reconciler's retry republishes)", async () => {
    const refusing = { publish: async () => Promise.reject(new Error('bus down')) };
    const w = world({ positions: [position(QQQ, '3', '42.5')], brokerCash: '10', events: refusing });
    await expect(reconcileAccount(w.ports, { date: DATE, trigger: 'run-complete' })).rejects.toThrow(
      'bus down',
    );
    expect(w.stored).toHaveLength(1);
  });

  it("only logs the failure in the coordinator's fail-closed check: a bus outage alone does not stop trading", async () => {
    const refusing = { publish: async () => Promise.reject(new Error('bus down')) };
    const w = world({ positions: [position(QQQ, '3', '42.5')], brokerCash: '10', events: refusing });
    const { summary } = await reconcileAccount(w.ports, { date: DATE, trigger: 'plan' });
    expect(summary.ok).toBe(false);
    expect(w.lines.find((l) => l.event === 'events-not-published')).toMatchObject({ level: 'error' });
  });
});

describe('reconciliationCheck (the coordinator fails closed on it)', () => {
  it('answers no break on a clean account', async () => {
    const w = world({ books: [bookOf(ALPHA, '0', [[SPY, '1']])], positions: [position(SPY, '1')] });
    expect((await reconciliationCheck(w.ports).breaks(DATE)).breaks).toEqual([]);
  });

  it('answers what the reconciliation read with its breaks, for the plan to use instead of reading again', async () => {
    const w = world({
      books: [bookOf(ALPHA, '0', [[SPY, '1']])],
      positions: [position(SPY, '1')],
      brokerCash: '5',
      pool: '5',
    });
    const { read } = await reconciliationCheck(w.ports).breaks(DATE);
    expect(read.books.get(ALPHA)?.exists).toBe(true);
    expect(read.account.cash.toString()).toBe('5');
    expect(read.positions.map((p) => p.symbol)).toEqual([SPY]);
  });

  it('answers each break with the strategies holding the symbol, never EXTERNAL', async () => {
    const w = world({
      books: [bookOf(ALPHA, '0', [[SPY, '10']]), bookOf(BETA, '0', [[SPY, '5']])],
      positions: [position(SPY, '12'), position(QQQ, '1')],
    });
    const { breaks } = await reconciliationCheck(w.ports).breaks(DATE);
    expect(breaks).toEqual([
      { symbol: QQQ, status: 'UNOWNED', unexplained: '1', holders: [] },
      { symbol: SPY, status: 'DRIFT', unexplained: '-3', holders: [ALPHA, BETA] },
    ]);
    expect(w.lines.find((l) => l.event === 'reconciled')).toMatchObject({ trigger: 'plan' });
  });
});
