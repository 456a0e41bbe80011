import type { Money } from '@books/core';
import type { Book } from './book';
import { DuplicateTransferError, InvalidTransferError } from './errors';
import { isIsoInstant } from './time';

export const TRANSFER_REASONS = ['funding', 'drift', 'target', 'migration', 'adjustment'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** Cash moved between a book and the unallocated pool: positive into the book, negative out. */
export interface Transfer {
  readonly id: string;
  readonly amount: Money;
  readonly reason: TransferReason;
  /** ISO-8601 UTC instant with milliseconds. */
  readonly at: string;
}

/**
 * Applies a capital transfer and returns a new book.
 * Throws DuplicateTransferError for an id already applied, and InvalidTransferError for a zero
 * amount, a bad time, or an outflow larger than the book's cash (a transfer never makes cash
 * negative; a fully invested book shrinks by selling, see capital-policy.ts).
 */
export function applyTransfer(book: Book, transfer: Transfer): Book {
  if (book.appliedTransferIds.has(transfer.id))
    throw new DuplicateTransferError(book.strategyId, transfer.id);
  if (transfer.id.length === 0) throw new InvalidTransferError(transfer.id, 'empty transfer id');
  if (transfer.amount.isZero()) throw new InvalidTransferError(transfer.id, 'zero amount');
  if (!isIsoInstant(transfer.at))
    throw new InvalidTransferError(transfer.id, `time ${JSON.stringify(transfer.at)} is not an ISO instant`);
  const cash = book.cash.plus(transfer.amount);
  if (transfer.amount.isNegative() && cash.isNegative())
    throw new InvalidTransferError(
      transfer.id,
      `outflow ${transfer.amount.negated()} exceeds the book's cash ${book.cash}`,
    );
  return { ...book, cash, appliedTransferIds: new Set(book.appliedTransferIds).add(transfer.id) };
}
