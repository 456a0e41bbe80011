import { ConcurrencyError, Money, Quantity, StrategyId, Symbol } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  BookRepository,
  CorruptItemError,
  FIRST_CASH_VERSION,
  type Item,
  LedgerTable,
  type QuerySpec,
  TransactionConditionError,
  toItem,
} from '../src';
import { aLot, aTransfer } from './support/builders';

/** A table on which another writer bumps a book's cash right after each of the first `times` queries. */
class InterferingTable extends LedgerTable {
  constructor(
    base: LedgerTable,
    private readonly interfere: () => Promise<void>,
    private times: number,
  ) {
    super(base.client, base.tableName);
  }
  override async queryAll(spec: QuerySpec): Promise<Item[]> {
    const items = await super.queryAll(spec);
    if (this.times > 0) {
      this.times--;
      await this.interfere();
    }
    return items;
  }
}

const cashOf = (strategyId: StrategyId, cash: string) => ({
  strategyId,
  cash: Money.parse(cash),
  realizedPnl: Money.ZERO,
  updatedAt: '2026-11-24T14:00:00.000Z',
});

describe('BookRepository on DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  let books: BookRepository;
  beforeAll(async () => {
    test = await createTestTable('books');
    table = new LedgerTable(test.client, test.tableName);
    books = new BookRepository(table);
  });
  afterAll(() => test.cleanup());

  it('reads back a funded book: lots in FIFO order, cash with its version, transfers', async () => {
    const sid = StrategyId('funded');
    await table.transact([
      books.openCashItem(cashOf(sid, '25000')),
      books.transferItem(aTransfer({ strategyId: sid })),
      books.openLotItem(aLot({ strategyId: sid, symbol: Symbol('QQQ'), orderId: 'b' })),
      books.openLotItem(aLot({ strategyId: sid, openedAt: '2026-11-25T20:30:00.000Z', orderId: 'c' })),
      books.openLotItem(aLot({ strategyId: sid, orderId: 'a' })),
    ]);
    const book = await books.readBook(sid);
    expect(book?.cash.cash.toString()).toBe('25000');
    expect(book?.cash.version).toBe(FIRST_CASH_VERSION);
    expect(book?.lots.map((l) => `${l.symbol} ${l.orderId}`)).toEqual(['QQQ b', 'SPY a', 'SPY c']);
    expect(book?.transfers.map((t) => t.id)).toEqual(['fund-1']);
  });

  it('lists every book that exists by its cash item, opened or updated, and no strategy without one', async () => {
    const opened = StrategyId('listed-opened');
    const updated = StrategyId('listed-updated');
    await table.transact([books.openCashItem(cashOf(opened, '10'))]);
    await table.transact([books.openCashItem(cashOf(updated, '10'))]);
    await books.updateCash(cashOf(updated, '20'), FIRST_CASH_VERSION);
    const ids = await books.bookIds();
    expect(ids).toEqual(expect.arrayContaining([opened, updated]));
    expect(ids).not.toContain('listed-never');
    expect(ids).toEqual([...ids].sort());
  });

  it('returns no book for a strategy that has none', async () => {
    expect(await books.readBook(StrategyId('never-funded'))).toBeUndefined();
  });

  it('refuses to read a book whose cash item is missing rather than report it empty', async () => {
    const sid = StrategyId('half-written');
    await table.put(toItem({ PK: 'STRATEGY#half-written#BOOK', SK: 'LOT#SPY#2026-11-24T20:30:01.250Z#x' }));
    await expect(books.readBook(sid)).rejects.toBeInstanceOf(CorruptItemError);
  });

  it('updates cash only from the version it read; a stale writer gets a ConcurrencyError', async () => {
    const sid = StrategyId('versioned');
    await table.transact([books.openCashItem(cashOf(sid, '100'))]);
    expect(await books.updateCash(cashOf(sid, '90'), FIRST_CASH_VERSION)).toBe(FIRST_CASH_VERSION + 1);
    await expect(books.updateCash(cashOf(sid, '80'), FIRST_CASH_VERSION)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect((await books.cash(sid))?.cash.toString()).toBe('90');
  });

  it('applies a fill atomically: a stale cash version leaves the lots untouched', async () => {
    const sid = StrategyId('atomic');
    const lot = aLot({ strategyId: sid });
    await table.transact([books.openCashItem(cashOf(sid, '5000')), books.openLotItem(lot)]);
    const reduced = { ...lot, openQty: Quantity.parse('1.5'), cost: Money.parse('901.845') };
    const stale = table.transact([
      books.replaceLotItem(reduced),
      books.cashUpdateItem(cashOf(sid, '6200'), 99),
    ]);
    await expect(stale).rejects.toBeInstanceOf(TransactionConditionError);
    await expect(stale).rejects.toMatchObject({ failures: [{ index: 1, label: 'cash atomic' }] });
    expect((await books.lots(sid))[0]?.openQty.toString()).toBe('3.5');

    await table.transact([
      books.closeLotItem(lot),
      books.cashUpdateItem(cashOf(sid, '7100'), FIRST_CASH_VERSION),
    ]);
    const book = await books.readBook(sid);
    expect(book?.lots).toEqual([]);
    expect(book?.cash.version).toBe(FIRST_CASH_VERSION + 1);
  });

  it('refuses to open a second cash item or reuse a transfer id', async () => {
    const sid = StrategyId('opened-twice');
    await table.transact([
      books.openCashItem(cashOf(sid, '1')),
      books.transferItem(aTransfer({ strategyId: sid })),
    ]);
    await expect(table.transact([books.openCashItem(cashOf(sid, '2'))])).rejects.toBeInstanceOf(
      TransactionConditionError,
    );
    await expect(table.transact([books.transferItem(aTransfer({ strategyId: sid }))])).rejects.toBeInstanceOf(
      TransactionConditionError,
    );
  });

  it('reads a book again when a write lands between its query and its cash check', async () => {
    const sid = StrategyId('busy');
    await table.transact([books.openCashItem(cashOf(sid, '100'))]);
    let version = FIRST_CASH_VERSION;
    const bump = async () => {
      version = await books.updateCash(cashOf(sid, String(100 + version)), version);
    };
    const onceBusy = new BookRepository(new InterferingTable(table, bump, 1));
    const book = await onceBusy.readBook(sid);
    expect(book?.cash.version).toBe(FIRST_CASH_VERSION + 1);
    expect(book?.cash.cash.toString()).toBe('101');

    const alwaysBusy = new BookRepository(new InterferingTable(table, bump, 100));
    await expect(alwaysBusy.readBook(sid)).rejects.toBeInstanceOf(ConcurrencyError);
  });
});
