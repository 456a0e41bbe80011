import {
  Money,
  notional,
  type Price,
  type Quantity,
  type Side,
  type StrategyId,
  type Symbol,
} from '@books/core';
import { DuplicateFillError, InvalidFillError, LotKeyCollisionError, OversellError } from './errors';
import { closeFifo, compareLots, type Lot, type LotChange, lotId, lotKey, openQuantity } from './lots';
import { isIsoInstant } from './time';

/**
 * A strategy's book: a projection of its trades and transfers.
 *
 * Invariants (held by every function of this package that returns a Book):
 * - `lots` are ordered by symbol, then oldest first (openedAt, orderId); every openQty > 0.
 * - cash + Σ lot.cost − realizedPnl = Σ applied transfer amounts (nothing is created or lost).
 * - each fill id and each transfer id is applied at most once.
 * Cash may be negative only if the broker filled buys beyond the book's cash: fills are facts and
 * are booked; planning is what keeps cash non-negative.
 */
export interface Book {
  readonly strategyId: StrategyId;
  readonly lots: readonly Lot[];
  readonly cash: Money;
  readonly realizedPnl: Money;
  readonly appliedFillIds: ReadonlySet<string>;
  readonly appliedTransferIds: ReadonlySet<string>;
}

/** One execution reported by the broker, owned by one strategy. */
export interface Fill {
  /** Unique per execution; the dedup key. */
  readonly fillId: string;
  /** The broker order; becomes the key of the lot a BUY opens. */
  readonly orderId: string;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly qty: Quantity;
  readonly price: Price;
  readonly fees: Money;
  /** ISO-8601 UTC instant with milliseconds. */
  readonly at: string;
}

export interface FillApplication {
  readonly book: Book;
  /** Exactly the lot items to write (put opened/reduced, delete closed) in the fill's transaction. */
  readonly changes: readonly LotChange[];
  readonly cashDelta: Money;
  /** Realized P&L of this fill: SELL proceeds − FIFO cost − fees; zero for a BUY. */
  readonly realizedPnl: Money;
}

export function emptyBook(strategyId: StrategyId): Book {
  return {
    strategyId,
    lots: [],
    cash: Money.ZERO,
    realizedPnl: Money.ZERO,
    appliedFillIds: new Set(),
    appliedTransferIds: new Set(),
  };
}

/** The book's open lots of one symbol, oldest first. */
export function lotsOf(book: Pick<Book, 'lots'>, symbol: Symbol): readonly Lot[] {
  return book.lots.filter((l) => l.symbol === symbol);
}

export function heldQuantity(book: Pick<Book, 'lots'>, symbol: Symbol): Quantity {
  return openQuantity(lotsOf(book, symbol));
}

function validateFill(fill: Fill): void {
  if (fill.fillId.length === 0) throw new InvalidFillError(fill.fillId, 'empty fill id');
  if (fill.orderId.length === 0) throw new InvalidFillError(fill.fillId, 'empty order id');
  if (!fill.qty.isPositive()) throw new InvalidFillError(fill.fillId, `quantity ${fill.qty} is not positive`);
  if (!fill.price.isPositive())
    throw new InvalidFillError(fill.fillId, `price ${fill.price} is not positive`);
  if (fill.fees.isNegative()) throw new InvalidFillError(fill.fillId, `fees ${fill.fees} are negative`);
  if (!isIsoInstant(fill.at))
    throw new InvalidFillError(fill.fillId, `time ${JSON.stringify(fill.at)} is not an ISO instant`);
}

/**
 * Folds one fill into the book and returns a new book.
 * BUY: opens a lot costing qty × price + fees (buy fees are part of the cost basis); cash −= that.
 * SELL: closes lots FIFO; cash += qty × price − fees; realized P&L += proceeds − FIFO cost − fees.
 * Throws DuplicateFillError, OversellError, InvalidFillError, LotKeyCollisionError.
 */
export function applyFill(book: Book, fill: Fill): FillApplication {
  if (book.appliedFillIds.has(fill.fillId)) throw new DuplicateFillError(book.strategyId, fill.fillId);
  validateFill(fill);
  const gross = notional(fill.qty, fill.price);
  const appliedFillIds = new Set(book.appliedFillIds).add(fill.fillId);

  if (fill.side === 'buy') {
    const lot: Lot = {
      symbol: fill.symbol,
      openedAt: fill.at,
      orderId: fill.orderId,
      openQty: fill.qty,
      openPrice: fill.price,
      cost: gross.plus(fill.fees),
    };
    const id = lotId(lot);
    if (book.lots.some((l) => lotId(l) === id)) throw new LotKeyCollisionError(book.strategyId, id);
    const cashDelta = lot.cost.negated();
    return {
      book: {
        ...book,
        lots: [...book.lots, lot].sort(compareLots),
        cash: book.cash.plus(cashDelta),
        appliedFillIds,
      },
      changes: [{ kind: 'opened', key: lotKey(lot), lot }],
      cashDelta,
      realizedPnl: Money.ZERO,
    };
  }

  const own = lotsOf(book, fill.symbol);
  const held = openQuantity(own);
  if (fill.qty.gt(held))
    throw new OversellError(book.strategyId, fill.symbol, fill.qty.toString(), held.toString());
  const closed = closeFifo(own, fill.qty);
  const cashDelta = gross.minus(fill.fees);
  const realizedPnl = cashDelta.minus(closed.closedCost);
  return {
    book: {
      ...book,
      lots: [...book.lots.filter((l) => l.symbol !== fill.symbol), ...closed.remaining].sort(compareLots),
      cash: book.cash.plus(cashDelta),
      realizedPnl: book.realizedPnl.plus(realizedPnl),
      appliedFillIds,
    },
    changes: closed.changes,
    cashDelta,
    realizedPnl,
  };
}

/** Plain, canonical text form of a book: for persistence checks, logs and equality in tests. */
export interface PlainBook {
  readonly strategyId: string;
  readonly lots: readonly {
    symbol: string;
    openedAt: string;
    orderId: string;
    openQty: string;
    openPrice: string;
    cost: string;
  }[];
  readonly cash: string;
  readonly realizedPnl: string;
  readonly appliedFillIds: readonly string[];
  readonly appliedTransferIds: readonly string[];
}

export function plainBook(book: Book): PlainBook {
  return {
    strategyId: book.strategyId,
    lots: book.lots.map((l) => ({
      symbol: l.symbol,
      openedAt: l.openedAt,
      orderId: l.orderId,
      openQty: l.openQty.toString(),
      openPrice: l.openPrice.toString(),
      cost: l.cost.toString(),
    })),
    cash: book.cash.toString(),
    realizedPnl: book.realizedPnl.toString(),
    appliedFillIds: [...book.appliedFillIds].sort(),
    appliedTransferIds: [...book.appliedTransferIds].sort(),
  };
}
