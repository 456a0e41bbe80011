import type { Position } from '@books/broker';
import { Money, Price, Quantity, StrategyId, Symbol } from '@books/core';
import { BookRepository, LedgerTable, loadBook, lotChangeItem, PoolRepository } from '@books/ledger-client';
import { applyFill, emptyBook } from '@books/portfolio';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerCapital } from '../src/adapters/ledger-capital';
import type { PlanSnapshot } from '../src/ports';

const HELD = StrategyId('held');
const FRESH = StrategyId('fresh');
const SPY = Symbol('SPY');
const AT = '2026-11-24T14:00:00.000Z';

/** The broker's SPY at 110 (market value ÷ quantity), counting what is asked of it. */
function aBroker() {
  const asked: string[] = [];
  const positions: Position[] = [
    {
      symbol: SPY,
      qty: Quantity.parse('10'),
      avgEntryPrice: Price.parse('100'),
      marketValue: Money.parse('1100'),
    },
  ];
  return {
    asked,
    broker: {
      async getPositions() {
        asked.push('positions');
        return positions;
      },
      async getAccount() {
        asked.push('account');
        return { equity: Money.parse('5000'), cash: Money.parse('3900'), buyingPower: Money.parse('3900') };
      },
    },
  };
}

describe("the coordinator's capital snapshot on DynamoDB Local", () => {
  let test: TestTable;
  let table: LedgerTable;
  let books: BookRepository;
  beforeAll(async () => {
    test = await createTestTable('capital');
    table = new LedgerTable(test.client, test.tableName);
    books = new BookRepository(table);
    // HELD: 500 cash and 10 SPY bought at 100; FRESH has no book; the pool holds 2400.
    const bought = applyFill(emptyBook(HELD), {
      fillId: 'o-1',
      orderId: 'o-1',
      symbol: SPY,
      side: 'buy',
      qty: Quantity.parse('10'),
      price: Price.parse('100'),
      fees: Money.ZERO,
      at: AT,
    });
    await table.transact([
      books.openCashItem({
        strategyId: HELD,
        cash: Money.parse('500'),
        realizedPnl: Money.ZERO,
        updatedAt: AT,
      }),
      ...bought.changes.map((c) => lotChangeItem(books, HELD, c)),
    ]);
    await new PoolRepository(table).open(Money.parse('2400'), AT, 'test opening');
  });
  afterAll(() => test.cleanup());

  it('values the books at the broker marks, each existing one, from the ledger', async () => {
    const { broker } = aBroker();
    const snapshot = await new LedgerCapital(table, books, broker).snapshot([HELD, FRESH]);
    expect(snapshot.pool.toString()).toBe('2400');
    expect([...snapshot.books].map(([id, b]) => [id, b.equity.toString(), b.cash.toString()])).toEqual([
      [HELD, '1600', '500'],
    ]);
  });

  it("gives the same snapshot from the plan's read, reading neither the ledger nor the broker", async () => {
    const reading = aBroker();
    const read = await new LedgerCapital(table, books, reading.broker).snapshot([HELD, FRESH]);
    const known: PlanSnapshot = {
      books: new Map([
        [HELD, await loadBook(books, HELD)],
        [FRESH, await loadBook(books, FRESH)],
      ]),
      pool: Money.parse('2400'),
      positions: await reading.broker.getPositions(),
      account: await reading.broker.getAccount(),
    };
    // A table that does not exist: any read of it fails.
    const nowhere = new LedgerTable(test.client, `${test.tableName}-absent`);
    const idle = aBroker();
    const fromKnown = await new LedgerCapital(nowhere, new BookRepository(nowhere), idle.broker).snapshot(
      [HELD, FRESH],
      known,
    );
    expect(fromKnown).toEqual(read);
    expect(idle.asked).toEqual([]);
  });

  it("reads them when the plan's read lacks a book asked for, or the pool is not open in it", async () => {
    const lacking: PlanSnapshot = {
      books: new Map([[HELD, await loadBook(books, HELD)]]),
      pool: Money.parse('1'),
      positions: [],
      account: { equity: Money.ZERO, cash: Money.ZERO },
    };
    const first = aBroker();
    const withoutFresh = await new LedgerCapital(table, books, first.broker).snapshot([HELD, FRESH], lacking);
    expect(withoutFresh.pool.toString()).toBe('2400');
    expect(first.asked).toEqual(['positions']);
    const second = aBroker();
    await new LedgerCapital(table, books, second.broker).snapshot([HELD], {
      ...lacking,
      pool: undefined,
    });
    expect(second.asked).toEqual(['positions']);
  });

  it('opens the pool only when the plan saw it closed, and answers when it opened', async () => {
    const { broker, asked } = aBroker();
    const capital = new LedgerCapital(table, books, broker);
    expect(await capital.poolOpenedAt()).toBe(AT);
    expect(await capital.openPool([HELD], '2026-11-25T14:00:00.000Z', { openedAt: AT })).toEqual({
      openedAt: AT,
    });
    expect(asked).toEqual([]);
  });
});
