import type { Broker } from '@books/broker';
import { EXTERNAL, LEGACY, Money, notional, Price, type StrategyId, type Symbol } from '@books/core';
import { type BookRepository, type LedgerTable, loadBook, PoolRepository } from '@books/ledger-client';
import { positionsOf } from '@books/portfolio';
import type { BookCapital, CapitalSource } from '../ports';

/**
 * The pool and the books from the ledger, the books valued at the broker's marks (a position's
 * market value ÷ its quantity; a symbol the broker does not hold is valued at the lots' cost).
 */
export class LedgerCapital implements CapitalSource {
  private readonly pool: PoolRepository;

  constructor(
    table: LedgerTable,
    private readonly books: BookRepository,
    private readonly broker: Broker,
  ) {
    this.pool = new PoolRepository(table);
  }

  async openPool(books: readonly StrategyId[], at: string): Promise<void> {
    if (await this.pool.read()) return;
    const ids = [...new Set([...books, LEGACY, EXTERNAL])];
    const [account, loaded] = await Promise.all([
      this.broker.getAccount(),
      Promise.all(ids.map((id) => loadBook(this.books, id))),
    ]);
    const held = Money.sum(loaded.map((l) => l.book.cash));
    await this.pool.open(
      account.cash.minus(held),
      at,
      `opened with the account's cash ${account.cash} less the books' ${held}`,
    );
  }

  async snapshot(books: readonly StrategyId[]) {
    const [pool, positions, loaded] = await Promise.all([
      this.pool.read(),
      this.broker.getPositions(),
      Promise.all(books.map((id) => loadBook(this.books, id))),
    ]);
    const marks = new Map<Symbol, Price>();
    for (const p of positions)
      if (p.qty.isPositive()) marks.set(p.symbol, Price.of(p.marketValue.value.dividedBy(p.qty.value)));
    const capital = new Map<StrategyId, BookCapital>();
    for (const { book, exists } of loaded) {
      if (!exists) continue;
      const value = Money.sum(
        positionsOf(book).map((p) => {
          const mark = marks.get(p.symbol);
          return mark === undefined ? p.cost : notional(p.qty, mark);
        }),
      );
      capital.set(book.strategyId, { equity: value.plus(book.cash), cash: book.cash });
    }
    return { pool: pool?.cash ?? Money.ZERO, books: capital };
  }
}
