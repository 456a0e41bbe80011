import type { Broker } from '@books/broker';
import { EXTERNAL, LEGACY, Money, mapBounded, notional, type StrategyId } from '@books/core';
import { type BookRepository, type LedgerTable, loadBook, PoolRepository } from '@books/ledger-client';
import { type Book, brokerMarks, positionsOf } from '@books/portfolio';
import type { BookCapital, CapitalSource, PlanSnapshot } from '../ports';

/**
 * The pool and the books from the ledger, the books valued at the broker's marks (a position's
 * market value ÷ its quantity; a symbol the broker does not hold is valued at the lots' cost):
 * read, or taken from the plan's snapshot when it holds them (`snapshot`'s `known`).
 */
export class LedgerCapital implements CapitalSource {
  private readonly pool: PoolRepository;

  constructor(
    table: LedgerTable,
    private readonly books: BookRepository,
    private readonly broker: Pick<Broker, 'getAccount' | 'getPositions'>,
  ) {
    this.pool = new PoolRepository(table);
  }

  async poolOpenedAt(): Promise<string | undefined> {
    return (await this.pool.read())?.openedAt;
  }

  async openPool(
    books: readonly StrategyId[],
    at: string,
    seen: { readonly openedAt: string | undefined },
  ): Promise<{ readonly openedAt: string } | undefined> {
    if (seen.openedAt !== undefined) return { openedAt: seen.openedAt };
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
      mapBounded(ids, (id) => loadBook(this.books, id)),
    ]);
    const held = Money.sum(loaded.map((l) => l.book.cash));
    return { cash: account.cash.minus(held), account: account.cash, held };
  }

  async snapshot(books: readonly StrategyId[], known?: PlanSnapshot) {
    const held = known && knownBooks(known, books);
    if (known?.pool !== undefined && held) return { pool: known.pool, books: valued(held, known.positions) };
    const [pool, positions, loaded] = await Promise.all([
      this.pool.read(),
      this.broker.getPositions(),
      mapBounded(books, (id) => loadBook(this.books, id)),
    ]);
    // Not opened yet (a dry run before the stage's first run): what it would open with.
    return { pool: pool?.cash ?? (await this.opening(books)).cash, books: valued(loaded, positions) };
  }
}

interface ReadBook {
  readonly book: Book;
  readonly exists: boolean;
}

/** The books asked for, from the plan's snapshot; undefined when it lacks one of them. */
function knownBooks(known: PlanSnapshot, ids: readonly StrategyId[]): ReadBook[] | undefined {
  const found = ids.map((id) => known.books.get(id));
  return found.every((b) => b !== undefined) ? found : undefined;
}

/** Each existing book's equity (its lots at the broker's marks, else at cost, and its cash) and cash. */
function valued(
  loaded: readonly ReadBook[],
  positions: PlanSnapshot['positions'],
): Map<StrategyId, BookCapital> {
  const marks = brokerMarks(positions);
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
  return capital;
}
