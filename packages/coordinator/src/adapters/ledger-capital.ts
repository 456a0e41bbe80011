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

  async openPool(
    books: readonly StrategyId[],
    at: string,
  ): Promise<{ readonly openedAt: string } | undefined> {
    const open = await this.pool.read();
    if (open) return { openedAt: open.openedAt };
    const opening = await this.opening(books);
    const result = await this.pool.open(
      opening.cash,
      at,
      `opened with the account's cash ${opening.account} less the books' ${opening.held}`,
    );
    // Another process may have opened it first, at another instant: then it is not known here.
    return result === 'opened' ? { openedAt: at } : undefined;
  }

  /** What the pool opens with: the account's cash that no book (LEGACY, EXTERNAL included) holds. */
  private async opening(books: readonly StrategyId[]) {
    const ids = [...new Set([...books, LEGACY, EXTERNAL])];
    const [account, loaded] = await Promise.all([
      this.broker.getAccount(),
      Promise.all(ids.map((id) => loadBook(this.books, id))),
    ]);
    const held = Money.sum(loaded.map((l) => l.book.cash));
    return { cash: account.cash.minus(held), account: account.cash, held };
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
    // Not opened yet (a dry run before the stage's first run): what it would open with.
    return { pool: pool?.cash ?? (await this.opening(books)).cash, books: capital };
  }
}
