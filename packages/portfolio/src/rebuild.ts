import type { StrategyId } from '@books/core';
import { applyPosting, type BookPosting } from './activity-postings';
import { applyFill, type Book, emptyBook, type Fill } from './book';
import { compareText } from './lots';
import { applyTransfer, type Transfer } from './transfers';

type Event =
  | { readonly kind: 'transfer'; readonly e: Transfer }
  | { readonly kind: 'fill'; readonly e: Fill }
  | { readonly kind: 'posting'; readonly e: BookPosting };

const id = (ev: Event): string => (ev.kind === 'fill' ? ev.e.fillId : ev.e.id);
/** At one instant: transfers, then activity postings, then fills. */
const RANK: Readonly<Record<Event['kind'], number>> = { transfer: 0, posting: 1, fill: 2 };

/**
 * The book as a pure projection of the ledger: folds transfers, activity postings (dividends,
 * splits, symbol changes: `activity-postings.ts`) and fills in time order. At equal timestamps
 * transfers come first (funding precedes trading), then postings (an activity is posted before the
 * day's plan), then fills; then ids in text order. Errors of applyFill/applyTransfer/applyPosting
 * propagate: a ledger that cannot be folded is a break.
 */
export function rebuildBook(
  strategyId: StrategyId,
  fills: readonly Fill[],
  transfers: readonly Transfer[],
  postings: readonly BookPosting[] = [],
): Book {
  const events: Event[] = [
    ...transfers.map((e): Event => ({ kind: 'transfer', e })),
    ...postings.map((e): Event => ({ kind: 'posting', e })),
    ...fills.map((e): Event => ({ kind: 'fill', e })),
  ];
  events.sort(
    (a, b) => compareText(a.e.at, b.e.at) || RANK[a.kind] - RANK[b.kind] || compareText(id(a), id(b)),
  );
  let book = emptyBook(strategyId);
  for (const ev of events)
    book =
      ev.kind === 'fill'
        ? applyFill(book, ev.e).book
        : ev.kind === 'posting'
          ? applyPosting(book, ev.e).book
          : applyTransfer(book, ev.e);
  return book;
}
