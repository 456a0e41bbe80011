import { LEGACY, Money, StrategyId } from '@books/core';
import { applyFill, DuplicateFillError } from '@books/portfolio';
import { createTestTable, type TestTable, testDynamo } from '@books/testkit';
import {
  BookRepository,
  fillOfTrade,
  LedgerTable,
  type LegacyTrade,
  loadBook,
  lotChangeItem,
  type StrategyTrade,
  TradeRepository,
  type TransactItem,
} from '../src';
import { aTrade } from './support/builders';

describe('a book loaded from DynamoDB Local knows the fills it has applied', () => {
  let test: TestTable;
  let table: LedgerTable;
  let books: BookRepository;
  let trades: TradeRepository;
  beforeAll(async () => {
    test = await createTestTable('projection');
    table = new LedgerTable(test.client, test.tableName);
    books = new BookRepository(table);
    trades = new TradeRepository(table);
  });
  afterAll(() => test.cleanup());

  async function fund(strategyId: StrategyId, cash: string) {
    const at = '2026-11-24T14:00:00.000Z';
    await table.transact([
      books.openCashItem({ strategyId, cash: Money.parse(cash), realizedPnl: Money.ZERO, updatedAt: at }),
    ]);
  }

  /** Records a trade as execution does: the trade item, its lot changes and the book's cash, in one transaction. */
  async function record(
    strategyId: StrategyId,
    trade: Omit<StrategyTrade | LegacyTrade, 'strategyId'>,
    put: TransactItem,
  ) {
    const loaded = await loadBook(books, strategyId, [trade.orderId]);
    if (loaded.version === undefined) throw new Error(`${strategyId} is not funded`);
    const application = applyFill(loaded.book, fillOfTrade(trade));
    await table.transact([
      put,
      ...application.changes.map((c) => lotChangeItem(books, strategyId, c)),
      books.cashUpdateItem(
        {
          strategyId,
          cash: application.book.cash,
          realizedPnl: application.book.realizedPnl,
          updatedAt: trade.filledAt,
        },
        loaded.version,
      ),
    ]);
  }

  it('refuses the same fill again after a reload, and takes a new one', async () => {
    const trade = aTrade({ strategyId: StrategyId('reloaded') });
    const sid = trade.strategyId;
    await fund(sid, '25000');
    await record(sid, trade, trades.putItem(trade));

    const next = aTrade({ strategyId: sid, orderId: 'order-2', filledAt: '2026-11-25T20:30:00.000Z' });
    const reloaded = await loadBook(books, sid, [trade.orderId, next.orderId]);
    expect([...reloaded.book.appliedFillIds]).toEqual([trade.orderId]);
    expect(() => applyFill(reloaded.book, fillOfTrade(trade))).toThrow(DuplicateFillError);
    expect(applyFill(reloaded.book, fillOfTrade(next)).book.appliedFillIds.has('order-2')).toBe(true);
  });

  it('reads only the fills it is asked about, by their trade items, and none by default', async () => {
    const first = aTrade({ strategyId: StrategyId('bounded'), orderId: 'b-1' });
    const second = aTrade({
      strategyId: first.strategyId,
      orderId: 'b-2',
      filledAt: '2026-11-25T20:30:00.000Z',
    });
    await fund(first.strategyId, '25000');
    await record(first.strategyId, first, trades.putItem(first));
    await record(first.strategyId, second, trades.putItem(second));

    expect([...(await loadBook(books, first.strategyId)).book.appliedFillIds]).toEqual([]);
    expect([...(await loadBook(books, first.strategyId, ['b-2', 'b-9'])).book.appliedFillIds]).toEqual([
      'b-2',
    ]);
    expect((await books.readBook(first.strategyId))?.fillIds).toEqual(['b-1', 'b-2']);
  });

  it('refuses a legacy trade again in the LEGACY book, whose fills are the legacy trades', async () => {
    const trade: LegacyTrade = {
      ...aTrade({ orderId: 'legacy-order-1' }),
      strategyNames: ['momentum'],
      strategyWeights: [],
    };
    await fund(LEGACY, '10000');
    await record(LEGACY, trade, trades.legacyPutItem(trade));

    const reloaded = await loadBook(books, LEGACY, ['legacy-order-1']);
    expect([...reloaded.book.appliedFillIds]).toEqual(['legacy-order-1']);
    expect(() => applyFill(reloaded.book, fillOfTrade(trade))).toThrow(DuplicateFillError);
  });

  it('reads a writer’s fills with the cash in one transactional read after its query, and again when a fill landed between', async () => {
    const first = aTrade({ strategyId: StrategyId('snapshot'), orderId: 's-1' });
    const second = aTrade({
      strategyId: first.strategyId,
      orderId: 's-2',
      filledAt: '2026-11-25T20:30:00.000Z',
    });
    await fund(first.strategyId, '25000');
    await record(first.strategyId, first, trades.putItem(first));
    const client = testDynamo();
    const sent: string[] = [];
    let between: (() => Promise<void>) | undefined = () =>
      record(first.strategyId, second, trades.putItem(second));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        sent.push(context.commandName ?? '?');
        const landing = context.commandName === 'QueryCommand' ? between : undefined;
        between = landing ? undefined : between;
        await landing?.();
        return out;
      },
      { step: 'initialize' },
    );
    const watched = new BookRepository(new LedgerTable(client, test.tableName));

    const book = await watched.readBook(first.strategyId, { fills: ['s-2'] });

    expect(sent).toEqual([
      'QueryCommand',
      'TransactGetItemsCommand',
      'QueryCommand',
      'TransactGetItemsCommand',
    ]);
    expect(book?.fillIds).toEqual(['s-2']);
    expect(book?.lots.map((l) => l.orderId)).toEqual(['s-1', 's-2']);
  });

  it('does not count another strategy’s trades as the book’s fills', async () => {
    const own = aTrade({ strategyId: StrategyId('own-fills'), orderId: 'own-1' });
    const other = aTrade({ strategyId: StrategyId('other-fills'), orderId: 'other-1' });
    await fund(own.strategyId, '25000');
    await record(own.strategyId, own, trades.putItem(own));
    await trades.put(other);

    expect((await books.readBook(own.strategyId))?.fillIds).toEqual(['own-1']);
    expect((await books.readBook(own.strategyId, { fills: ['own-1', 'other-1'] }))?.fillIds).toEqual([
      'own-1',
    ]);
  });
});
