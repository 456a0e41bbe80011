import { Money, StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  BookOverdrawnError,
  BookRepository,
  cashActivityEntry,
  LedgerTable,
  loadBook,
  PoolRepository,
  TransactionConditionError,
  transferItems,
} from '../src';

const AT = '2026-11-24T14:00:00.000Z';

describe('the unallocated pool is an account of the ledger', () => {
  let test: TestTable;
  let table: LedgerTable;
  let books: BookRepository;
  let pool: PoolRepository;
  beforeEach(async () => {
    test = await createTestTable('pool');
    table = new LedgerTable(test.client, test.tableName);
    books = new BookRepository(table);
    pool = new PoolRepository(table);
  });
  afterEach(() => test.cleanup());

  const balance = async () => (await pool.read())?.cash.toString();
  const transfer = async (sid: string, amount: string, id: string, reason: 'funding' | 'drift' = 'funding') =>
    table.transact(
      transferItems(books, await loadBook(books, StrategyId(sid)), StrategyId(sid), {
        id,
        amount: Money.parse(amount),
        reason,
        at: AT,
      }),
    );

  it('opens once with its balance: a second opening keeps the first balance', async () => {
    expect(await pool.read()).toBeUndefined();
    expect(await pool.open(Money.parse('1000.00'), AT, 'stage start')).toBe('opened');
    expect(await pool.open(Money.parse('5.00'), AT, 'again')).toBe('exists');
    expect(await balance()).toBe('1000');
  });

  it('a funding moves the cash from the pool to the book in one transaction', async () => {
    await pool.open(Money.parse('1000.00'), AT, 'stage start');
    await transfer('alpha', '600.25', 'capital:r1:alpha');
    expect(await balance()).toBe('399.75');
    expect((await loadBook(books, StrategyId('alpha'))).book.cash.toString()).toBe('600.25');
    await transfer('alpha', '-100.25', 'capital:r2:alpha', 'drift');
    expect(await balance()).toBe('500');
  });

  it('refuses a top-up the pool cannot pay, and writes nothing of it', async () => {
    await pool.open(Money.parse('100.00'), AT, 'stage start');
    await expect(transfer('alpha', '100.01', 'capital:r1:alpha')).rejects.toBeInstanceOf(
      TransactionConditionError,
    );
    expect(await balance()).toBe('100');
    expect((await loadBook(books, StrategyId('alpha'))).exists).toBe(false);
  });

  it('refuses a capital transfer before the pool is opened', async () => {
    await expect(transfer('alpha', '1.00', 'capital:r1:alpha')).rejects.toBeInstanceOf(
      TransactionConditionError,
    );
  });

  it('refuses a transfer out of a book larger than its cash', async () => {
    await pool.open(Money.parse('100.00'), AT, 'stage start');
    await transfer('alpha', '10.00', 'capital:r1:alpha');
    await expect(transfer('alpha', '-10.01', 'capital:r2:alpha', 'drift')).rejects.toBeInstanceOf(
      BookOverdrawnError,
    );
  });

  it('posts a deposit and a withdrawal once each, by activity id', async () => {
    await pool.open(Money.parse('100.00'), AT, 'stage start');
    const deposit = cashActivityEntry({ id: 'act-1', type: 'CSD', amount: Money.parse('50.10'), at: AT });
    expect(await pool.post(deposit)).toBe('posted');
    expect(await pool.post(deposit)).toBe('already-posted');
    const withdrawal = cashActivityEntry({ id: 'act-2', type: 'CSW', amount: Money.parse('-20'), at: AT });
    expect(await pool.post(withdrawal)).toBe('posted');
    expect(await balance()).toBe('130.1');
  });

  it('refuses a withdrawal larger than the pool (the books keep their cash)', async () => {
    await pool.open(Money.parse('100.00'), AT, 'stage start');
    const withdrawal = cashActivityEntry({ id: 'act-3', type: 'CSW', amount: Money.parse('100.01'), at: AT });
    await expect(pool.post(withdrawal)).rejects.toBeInstanceOf(TransactionConditionError);
    expect(await balance()).toBe('100');
  });
});
