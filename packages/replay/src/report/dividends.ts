import { Money } from '@books/core';
import type { StoredActivity, StoredBookActivity } from '@books/ledger-client';
import type { ReportDividends } from './model';

/**
 * The dividends of a report's days, from the ledger's broker activities (docs/ledger.md):
 * - the account's: Σ the `ACTIVITY` items of kind `dividend` dated within the days (the row's
 *   date, as the broker paid it), whatever became of them: posted to the books, or pending
 *   (the cash is the account's even while no book holds it);
 * - a book's: Σ its `BOOK_ACTIVITY` income postings of those dividends (its pro-rata share, to
 *   the cent), 0 for a book that received none; the LEGACY book is a book like any other.
 * A charge on a symbol (a fee) is also an income posting, but of an `account_cash` activity: not
 * a dividend, so not counted. Pure.
 */
export function dividendTotals(
  activities: readonly StoredActivity[],
  books: readonly { readonly strategyId: string; readonly activities: readonly StoredBookActivity[] }[],
  days: { readonly first: string; readonly last: string },
): ReportDividends {
  const paid = activities.filter((a) => a.kind === 'dividend' && a.date >= days.first && a.date <= days.last);
  const ids = new Set(paid.map((a) => a.activityId));
  return {
    account: Money.sum(paid.map((a) => (a.amount === null ? Money.ZERO : Money.parse(a.amount)))).toString(),
    books: Object.fromEntries(
      books.map((b) => [
        b.strategyId,
        Money.sum(
          b.activities.flatMap(({ posting: p }) => (p.kind === 'income' && ids.has(p.id) ? [p.amount] : [])),
        ).toString(),
      ]),
    ),
  };
}
