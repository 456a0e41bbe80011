import type { Money, Quantity, Symbol } from '@books/core';
import { type Book, lotsOf } from './book';
import { DuplicateTransferError, InvalidTransferError, LotKeyCollisionError, OversellError } from './errors';
import { closeFifo, compareLots, type Lot, type LotChange, lotId, lotKey, openQuantity } from './lots';
import { isIsoInstant } from './time';

export const TRANSFER_REASONS = ['funding', 'drift', 'target', 'migration', 'adjustment'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/**
 * Positions moved with a transfer (a migration between the legacy book and a strategy's book):
 * `out` closes `qty` of the symbol's lots FIFO; `in` opens the exact lot given, its cost basis,
 * price and open time carried over from the book it left.
 */
export type PositionMove =
  | { readonly direction: 'in'; readonly lot: Lot }
  | { readonly direction: 'out'; readonly symbol: Symbol; readonly qty: Quantity };

/**
 * Cash moved between a book and the unallocated pool (or another book): positive into the book,
 * negative out; with `positions` it also moves lots (then the cash amount may be zero).
 */
export interface Transfer {
  readonly id: string;
  readonly amount: Money;
  readonly reason: TransferReason;
  /** ISO-8601 UTC instant with milliseconds. */
  readonly at: string;
  readonly positions?: readonly PositionMove[];
}

export interface TransferApplication {
  readonly book: Book;
  /** The lot items to write in the transfer's transaction (none for a cash-only transfer). */
  readonly changes: readonly LotChange[];
}

/**
 * Applies a capital transfer and returns a new book.
 * Throws DuplicateTransferError for an id already applied, and InvalidTransferError for an empty
 * transfer, a bad time, or an outflow larger than the book's cash (a transfer never makes cash
 * negative; a fully invested book shrinks by selling, see capital-policy.ts). A position move out
 * of more than the book holds is an OversellError. A lot moved in onto an open lot of the same fill
 * (same key and price: a piece coming back) merges with it; any other key collision is a
 * LotKeyCollisionError.
 */
export function applyTransfer(book: Book, transfer: Transfer): Book {
  return applyTransferChanges(book, transfer).book;
}

export function applyTransferChanges(book: Book, transfer: Transfer): TransferApplication {
  if (book.appliedTransferIds.has(transfer.id))
    throw new DuplicateTransferError(book.strategyId, transfer.id);
  if (transfer.id.length === 0) throw new InvalidTransferError(transfer.id, 'empty transfer id');
  const moves = transfer.positions ?? [];
  if (transfer.amount.isZero() && moves.length === 0)
    throw new InvalidTransferError(transfer.id, 'zero amount');
  if (!isIsoInstant(transfer.at))
    throw new InvalidTransferError(transfer.id, `time ${JSON.stringify(transfer.at)} is not an ISO instant`);
  const cash = book.cash.plus(transfer.amount);
  if (transfer.amount.isNegative() && cash.isNegative())
    throw new InvalidTransferError(
      transfer.id,
      `outflow ${transfer.amount.negated()} exceeds the book's cash ${book.cash}`,
    );
  let lots: readonly Lot[] = book.lots;
  const changes: LotChange[] = [];
  for (const move of moves) {
    if (move.direction === 'in') {
      const id = lotId(move.lot);
      if (!move.lot.openQty.isPositive())
        throw new InvalidTransferError(transfer.id, `lot ${id} moved in with quantity ${move.lot.openQty}`);
      const existing = lots.find((l) => lotId(l) === id);
      if (existing) {
        // The rest of the same fill is still here (a piece moved out and back): one lot again.
        if (!existing.openPrice.eq(move.lot.openPrice)) throw new LotKeyCollisionError(book.strategyId, id);
        const after: Lot = {
          ...existing,
          openQty: existing.openQty.plus(move.lot.openQty),
          cost: existing.cost.plus(move.lot.cost),
        };
        lots = lots.map((l) => (l === existing ? after : l));
        changes.push({ kind: 'merged', key: lotKey(existing), before: existing, after });
        continue;
      }
      lots = [...lots, move.lot].sort(compareLots);
      changes.push({ kind: 'opened', key: lotKey(move.lot), lot: move.lot });
      continue;
    }
    const own = lotsOf({ lots }, move.symbol);
    const held = openQuantity(own);
    if (!move.qty.isPositive())
      throw new InvalidTransferError(transfer.id, `${move.symbol} moved out with quantity ${move.qty}`);
    if (move.qty.gt(held))
      throw new OversellError(book.strategyId, move.symbol, move.qty.toString(), held.toString());
    const closed = closeFifo(own, move.qty);
    lots = [...lots.filter((l) => l.symbol !== move.symbol), ...closed.remaining].sort(compareLots);
    changes.push(...closed.changes);
  }
  return {
    book: { ...book, cash, lots, appliedTransferIds: new Set(book.appliedTransferIds).add(transfer.id) },
    changes,
  };
}
