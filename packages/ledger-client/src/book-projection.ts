import { Money, type RunId, type StrategyId } from '@books/core';
import {
  type Book,
  type BookPosting,
  emptyBook,
  type Fill,
  type LotChange,
  rebuildBook,
  type Transfer,
} from '@books/portfolio';
import type { TransactItem } from './ledger-table';
import type { LegacyTrade } from './records/legacy-trade';
import type { StrategyTrade } from './records/trade';
import type { StoredTransfer } from './records/transfer';
import type { BookRepository, StoredBook } from './repositories/book-repository';
import { poolMoveItem } from './repositories/pool-repository';

/** A book as the ledger stores it, as the accounting folds it; `version` guards its next write. */
export interface LoadedBook {
  readonly book: Book;
  readonly exists: boolean;
  /** The cash item's version; undefined when the book has no cash item yet. */
  readonly version: number | undefined;
}

export function toPortfolioBook(stored: StoredBook): Book {
  return {
    strategyId: stored.strategyId,
    lots: stored.lots.map((l) => ({
      symbol: l.symbol,
      openedAt: l.openedAt,
      orderId: l.orderId,
      openQty: l.openQty,
      openPrice: l.openPrice,
      cost: l.cost,
    })),
    cash: stored.cash.cash,
    realizedPnl: stored.cash.realizedPnl,
    appliedFillIds: new Set(stored.fillIds),
    appliedTransferIds: new Set(stored.transfers.map((t) => t.id)),
  };
}

/**
 * Reads a strategy's book as it stands, O(its current state), not of its history; a failed read
 * throws (never an empty book in its place). Its `appliedFillIds` are those of `fills` (the fills
 * the caller is about to apply) that the book has applied, and no other: applyFill then refuses a
 * duplicate of them (DuplicateFillError), and the trade item's absent-condition in the fill's
 * transaction guards every fill. A caller needing every applied fill id reads the full book
 * (`books.readBook(sid)`).
 */
export async function loadBook(
  books: BookRepository,
  strategyId: StrategyId,
  fills: readonly string[] = [],
): Promise<LoadedBook> {
  const stored = await books.readBook(strategyId, { fills });
  if (!stored) return { book: emptyBook(strategyId), exists: false, version: undefined };
  return { book: toPortfolioBook(stored), exists: true, version: stored.cash.version };
}

/**
 * A recorded trade (a strategy's, or the legacy book's) as the fill it booked (the broker order id
 * is the fill's dedup key).
 */
export function fillOfTrade(
  t: Pick<
    StrategyTrade | LegacyTrade,
    'orderId' | 'symbol' | 'side' | 'filledQty' | 'fillPrice' | 'fees' | 'filledAt'
  >,
): Fill {
  return {
    fillId: t.orderId,
    orderId: t.orderId,
    symbol: t.symbol,
    side: t.side,
    qty: t.filledQty,
    price: t.fillPrice,
    fees: t.fees,
    at: t.filledAt,
  };
}

/** A recorded transfer as the accounting folds it (positions moved by a migration included). */
export function transferOfStored(t: StoredTransfer): Transfer {
  return {
    id: t.id,
    amount: t.amount,
    reason: t.reason,
    at: t.at,
    ...(t.positions ? { positions: t.positions } : {}),
  };
}

/** The ledger write of one lot change of a book (a fill's, a transfer's or an adjustment's). */
export function lotChangeItem(
  books: BookRepository,
  strategyId: StrategyId,
  change: LotChange,
): TransactItem {
  switch (change.kind) {
    case 'opened':
      return books.openLotItem({ strategyId, ...change.lot });
    case 'reduced':
    case 'merged':
      return books.replaceLotItem({ strategyId, ...change.after });
    case 'closed':
      return books.closeLotItem({ strategyId, ...change.key });
  }
}

/** Transfers between a book and the pool; a migration moves cash between two books instead. */
const POOL_REASONS: ReadonlySet<Transfer['reason']> = new Set(['funding', 'drift', 'target']);

/** A transfer out of a book larger than its cash: it would make the book's cash negative. */
export class BookOverdrawnError extends Error {
  override readonly name = 'BookOverdrawnError';
}

/**
 * The ledger writes of a transfer into a book as it was loaded: the transfer item (with the
 * positions it moves), the lot changes it makes, the book's cash (opened by its first write, else
 * conditional on the version read) and, for a capital transfer (funding, drift, target), the same
 * cash moved the other way in the pool (conditional on the pool staying ≥ 0): one transaction,
 * so the pool and the books always add up. A migration's transfers (one out of a book, one into
 * another, in one transaction) leave the pool alone. An outflow never makes the book's cash negative.
 */
export function transferItems(
  books: BookRepository,
  loaded: LoadedBook,
  strategyId: StrategyId,
  transfer: Transfer,
  options: { readonly runId?: RunId; readonly changes?: readonly LotChange[] } = {},
): TransactItem[] {
  const after = loaded.book.cash.plus(transfer.amount);
  if (transfer.amount.isNegative() && after.isNegative())
    throw new BookOverdrawnError(
      `transfer ${transfer.id} of ${transfer.amount} out of ${strategyId} exceeds its cash ${loaded.book.cash}`,
    );
  const cash = {
    strategyId,
    cash: after,
    realizedPnl: loaded.book.realizedPnl,
    updatedAt: transfer.at,
  };
  return [
    books.transferItem({
      strategyId,
      id: transfer.id,
      amount: transfer.amount,
      reason: transfer.reason,
      at: transfer.at,
      ...(options.runId ? { runId: options.runId } : {}),
      ...(transfer.positions ? { positions: transfer.positions } : {}),
    }),
    ...(options.changes ?? []).map((c) => lotChangeItem(books, strategyId, c)),
    loaded.version === undefined ? books.openCashItem(cash) : books.cashUpdateItem(cash, loaded.version),
    ...(POOL_REASONS.has(transfer.reason) ? [poolMoveItem(transfer.amount.negated(), transfer.at)] : []),
  ];
}

/**
 * A book as it stood at `end` (an instant): the fold of its trades filled and transfers made up to
 * then, with the total of those transfers (the capital moved in, net).
 */
export function bookAt(
  sid: StrategyId,
  trades: readonly StrategyTrade[],
  transfers: readonly StoredTransfer[],
  postings: readonly BookPosting[],
  end: string,
): { book: Book; transfersTotal: Money } {
  const upTo = transfers.filter((t) => t.at <= end);
  return {
    book: rebuildBook(
      sid,
      trades.filter((t) => t.filledAt <= end).map(fillOfTrade),
      upTo.map(transferOfStored),
      postings.filter((p) => p.at <= end),
    ),
    transfersTotal: Money.sum(upTo.map((t) => t.amount)),
  };
}
