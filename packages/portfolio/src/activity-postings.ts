import { Decimal, Money, Price, Quantity, type Symbol } from '@books/core';
import { type Book, lotsOf } from './book';
import { BooksActivityError } from './errors';
import { closeFifo, compareLots, type Lot, type LotChange, lotKey, openQuantity } from './lots';
import { isIsoInstant } from './time';

/**
 * What one broker activity (a dividend, a split, a symbol change, a fee on a symbol) does to one
 * book: its share of the activity, decided by the activity planner, folded by `applyPosting`.
 *
 * Every posting keeps the book's invariant (cash + Σ lot cost − realized P&L = Σ transfers):
 * - `income` (a dividend, a fee on a symbol, cash with no shares moved): cash and realized P&L
 *   both move by `amount` (income is P&L; a negative amount is a charge);
 * - `split`: every lot of `symbol` gets `openQty × to / from` (rounded towards zero to
 *   Quantity.MAX_DECIMALS) and `openPrice × from / to`, its cost unchanged; then the book keeps
 *   exactly `keepQty`: a fraction given up (cash in lieu) is closed FIFO like a sale for `cash`
 *   (realized P&L = cash − the closed cost); a fraction received (a whole share made up from the
 *   fractions of the other holders, `cash` negative) is added to the newest lot at that cost;
 * - `rename`: every lot of `symbol` becomes a lot of `newSymbol` with the same key otherwise.
 */
export type BookPosting =
  | {
      readonly kind: 'income';
      readonly id: string;
      readonly at: string;
      readonly symbol: Symbol | null;
      readonly amount: Money;
    }
  | {
      readonly kind: 'split';
      readonly id: string;
      readonly at: string;
      readonly symbol: Symbol;
      /** `to` new shares for every `from` old. */
      readonly from: string;
      readonly to: string;
      /** The quantity of `symbol` the book holds after the split (its share of the whole shares kept). */
      readonly keepQty: Quantity;
      /** Cash in lieu to the book (negative: paid by the book for a fraction it received). */
      readonly cash: Money;
    }
  | {
      readonly kind: 'rename';
      readonly id: string;
      readonly at: string;
      readonly symbol: Symbol;
      readonly newSymbol: Symbol;
    };

export interface PostingApplication {
  readonly book: Book;
  /** The lot items to write in the posting's transaction. */
  readonly changes: readonly LotChange[];
  readonly cashDelta: Money;
  readonly realizedPnl: Money;
}

/** The quantity one lot becomes in a split (rounded towards zero to what the broker keeps). */
export function splitQuantity(qty: Quantity, from: string, to: string): Quantity {
  return qty.times(new Decimal(to).dividedBy(from)).truncate(Quantity.MAX_DECIMALS);
}

/** Folds one posting into the book (pure). Throws BooksActivityError when the book cannot take it. */
export function applyPosting(book: Book, posting: BookPosting): PostingApplication {
  if (posting.id.length === 0) throw new BooksActivityError(posting.id, 'empty posting id');
  if (!isIsoInstant(posting.at))
    throw new BooksActivityError(posting.id, `time ${JSON.stringify(posting.at)} is not an ISO instant`);
  switch (posting.kind) {
    case 'income':
      return {
        book: {
          ...book,
          cash: book.cash.plus(posting.amount),
          realizedPnl: book.realizedPnl.plus(posting.amount),
        },
        changes: [],
        cashDelta: posting.amount,
        realizedPnl: posting.amount,
      };
    case 'split':
      return applySplit(book, posting);
    case 'rename':
      return applyRename(book, posting);
  }
}

function applySplit(book: Book, p: Extract<BookPosting, { kind: 'split' }>): PostingApplication {
  if (!new Decimal(p.from).gt(0) || !new Decimal(p.to).gt(0))
    throw new BooksActivityError(p.id, `split ratio ${p.to}:${p.from} is not positive`);
  const own = lotsOf(book, p.symbol);
  if (own.length === 0) throw new BooksActivityError(p.id, `book ${book.strategyId} holds no ${p.symbol}`);
  const priceFactor = new Decimal(p.from).dividedBy(p.to);
  let lots: Lot[] = own.map((l) => ({
    ...l,
    openQty: splitQuantity(l.openQty, p.from, p.to),
    openPrice: Price.of(l.openPrice.value.times(priceFactor)),
  }));
  const exact = openQuantity(lots);
  let realized = Money.ZERO;
  const removed = exact.minus(p.keepQty);
  if (removed.isPositive()) {
    if (p.cash.isNegative())
      throw new BooksActivityError(p.id, `a book giving up ${removed} ${p.symbol} cannot pay cash in lieu`);
    const closed = closeFifo(
      lots.filter((l) => l.openQty.isPositive()),
      removed,
    );
    realized = p.cash.minus(closed.closedCost);
    lots = [...closed.remaining];
  } else if (removed.isNegative()) {
    if (p.cash.isPositive())
      throw new BooksActivityError(
        p.id,
        `a book receiving ${removed.negated()} ${p.symbol} cannot be paid for it`,
      );
    const newest = lots[lots.length - 1] as Lot;
    lots = [
      ...lots.slice(0, -1),
      { ...newest, openQty: newest.openQty.minus(removed), cost: newest.cost.minus(p.cash) },
    ];
  } else if (!p.cash.isZero()) {
    throw new BooksActivityError(p.id, `cash in lieu ${p.cash} for a book that keeps every share`);
  }
  lots = lots.filter((l) => l.openQty.isPositive());
  const after = new Map(lots.map((l) => [lotKeyText(l), l]));
  const changes: LotChange[] = own.map((before): LotChange => {
    const next = after.get(lotKeyText(before));
    return next
      ? { kind: 'merged', key: lotKey(before), before, after: next }
      : { kind: 'closed', key: lotKey(before), before, closedQty: before.openQty, closedCost: before.cost };
  });
  return {
    book: {
      ...book,
      lots: [...book.lots.filter((l) => l.symbol !== p.symbol), ...lots].sort(compareLots),
      cash: book.cash.plus(p.cash),
      realizedPnl: book.realizedPnl.plus(realized),
    },
    changes,
    cashDelta: p.cash,
    realizedPnl: realized,
  };
}

function applyRename(book: Book, p: Extract<BookPosting, { kind: 'rename' }>): PostingApplication {
  const own = lotsOf(book, p.symbol);
  if (own.length === 0) throw new BooksActivityError(p.id, `book ${book.strategyId} holds no ${p.symbol}`);
  if (lotsOf(book, p.newSymbol).length > 0)
    throw new BooksActivityError(p.id, `book ${book.strategyId} already holds ${p.newSymbol}`);
  const renamed = own.map((l) => ({ ...l, symbol: p.newSymbol }));
  return {
    book: {
      ...book,
      lots: [...book.lots.filter((l) => l.symbol !== p.symbol), ...renamed].sort(compareLots),
    },
    changes: [
      ...own.map(
        (before): LotChange => ({
          kind: 'closed',
          key: lotKey(before),
          before,
          closedQty: before.openQty,
          closedCost: before.cost,
        }),
      ),
      ...renamed.map((lot): LotChange => ({ kind: 'opened', key: lotKey(lot), lot })),
    ],
    cashDelta: Money.ZERO,
    realizedPnl: Money.ZERO,
  };
}

function lotKeyText(l: Lot): string {
  return `${l.openedAt}#${l.orderId}`;
}
