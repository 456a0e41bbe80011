import { EXTERNAL, Price, Quantity, Symbol, TradingDate } from '@books/core';
import { BookRepository, LedgerTable, TradeRepository } from '@books/ledger-client';
import { parseRuntimeEnv } from '@books/runtime';
import { createTestTable, type TestTable } from '@books/testkit';
import { syncExternalBook } from '../src/adapters/ledger-external-book';

const SPY = Symbol('SPY');
const XYZ = Symbol('XYZ');

describe('the EXTERNAL book’s sync, on DynamoDB Local', () => {
  let test: TestTable;
  let services: Parameters<typeof syncExternalBook>[0];
  beforeAll(async () => {
    test = await createTestTable('external-unpriced');
    const table = new LedgerTable(test.client, test.tableName);
    services = {
      table,
      books: new BookRepository(table),
      trades: new TradeRepository(table),
      env: parseRuntimeEnv({
        BOOKS_STAGE: 'unpriced',
        BOOKS_TABLE_NAME: test.tableName,
        BOOKS_EXECUTION_QUEUE_NAME: 'unused',
        BOOKS_BROKER_MODE: 'simulated',
        BOOKS_STRATEGIES_CONFIG: 'config.json',
      }),
    };
  });
  afterAll(() => test.cleanup());

  it('names the symbols it left out for want of a price, also when it recorded others', async () => {
    const sync = await syncExternalBook(services, {
      unowned: new Map([
        [SPY, Quantity.parse('3')],
        [XYZ, Quantity.parse('5')],
      ]),
      prices: new Map([[SPY, Price.parse('500')]]),
      date: TradingDate('2025-03-03'),
      at: '2025-03-03T21:00:00.000Z',
    });
    expect(sync.entries.map((e) => `${e.side} ${e.qty} ${e.symbol}`)).toEqual(['buy 3 SPY']);
    expect(sync.unpriced).toEqual([XYZ]);
    expect(sync.held?.get(SPY)?.toString()).toBe('3');
    expect((await services.books.readBook(EXTERNAL))?.lots.map((l) => l.symbol)).toEqual([SPY]);
  });
});
