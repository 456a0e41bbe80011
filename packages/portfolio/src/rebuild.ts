import type { StrategyId } from '@books/core';
import { applyFill, type Book, emptyBook, type Fill } from './book';
import { compareText } from './lots';
import { applyTransfer, type Transfer } from './transfers';

type Event =
  | { readonly kind: 'transfer'; readonly e: Transfer }
  | { readonly kind: 'fill'; readonly e: Fill };

const id = (ev: Event): string => (ev.kind === 'fill' ? ev.e.fillId : ev.e.id);

/**
 * The book as a pure projection of the ledger: folds transfers and fills in time order.
 * At equal timestamps transfers come first (funding precedes trading), then ids in text order.
 * Errors of applyFill/applyTransfer propagate: a ledger that cannot be folded is a break.
 */
export function rebuildBook(
  strategyId: StrategyId,
  fills: readonly Fill[],
  transfers: readonly Transfer[],
): Book {
  const events: Event[] = [
    ...transfers.map((e): Event => ({ kind: 'transfer', e })),
    ...fills.map((e): Event => ({ kind: 'fill', e })),
  ];
  events.sort(
    (a, b) =>
      compareText(a.e.at, b.e.at) ||
      (a.kind === b.kind ? 0 : a.kind === 'transfer' ? -1 : 1) ||
      compareText(id(a), id(b)),
  );
  let book = emptyBook(strategyId);
  for (const ev of events) book = ev.kind === 'fill' ? applyFill(book, ev.e).book : applyTransfer(book, ev.e);
  return book;
}
