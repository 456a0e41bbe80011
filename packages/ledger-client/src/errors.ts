import { BooksError, ConcurrencyError } from '@books/core';
import type { Read } from './attribute-codec';
import type { ItemKey } from './keys';

/** A ledger call failed for a reason other than a lost condition (network, validation, throttling). */
export class LedgerError extends BooksError {
  static override readonly errorName: string = 'LedgerError';
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('LEDGER', message, context, options);
  }
}

/** An item read from the table does not match its record schema: a bug or a foreign writer. */
export class CorruptItemError extends BooksError {
  static override readonly errorName: string = 'CorruptItemError';
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('LEDGER_CORRUPT_ITEM', message, context, options);
  }
}

/** A conditional write on one item lost; `current` is the item as it was, when DynamoDB returned it. */
export class ConditionFailedError extends ConcurrencyError {
  static override readonly errorName: string = 'ConditionFailedError';
  constructor(
    message: string,
    readonly key: ItemKey,
    readonly current: { [key: string]: Read } | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, { key, current }, options);
  }
}

/** An optimistic-concurrency update found another version than the one it read. */
export class VersionConflictError extends ConditionFailedError {
  static override readonly errorName: string = 'VersionConflictError';
  constructor(
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
    key: ItemKey,
    current: { [key: string]: Read } | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `${key.PK} / ${key.SK}: expected version ${expectedVersion}, found ${actualVersion ?? 'no item'}`,
      key,
      current,
      options,
    );
  }
}

export interface TransactionFailure {
  /** Position of the item in the transaction. */
  readonly index: number;
  /** The label the caller gave the item, e.g. `trade`, `cash`, `lot AAPL`. */
  readonly label: string;
  /** DynamoDB's cancellation code, e.g. ConditionalCheckFailed. */
  readonly code: string;
  readonly message: string | undefined;
  readonly current: { [key: string]: Read } | undefined;
}

/**
 * A transaction was cancelled because the condition of one or more of its items failed; nothing
 * of it was written. `failures` names which items.
 */
export class TransactionConditionError extends ConcurrencyError {
  static override readonly errorName: string = 'TransactionConditionError';
  constructor(
    readonly failures: readonly TransactionFailure[],
    options?: { cause?: unknown },
  ) {
    super(
      `transaction cancelled: condition failed on ${failures.map((f) => `#${f.index} ${f.label}`).join(', ')}`,
      { failures },
      options,
    );
  }
}

/** A transaction collided with another one in flight on the same items; nothing was written; retry. */
export class TransactionConflictError extends ConcurrencyError {
  static override readonly errorName: string = 'TransactionConflictError';
  constructor(
    readonly failures: readonly TransactionFailure[],
    options?: { cause?: unknown },
  ) {
    super(
      `transaction cancelled: conflicting transaction on ${failures.map((f) => `#${f.index} ${f.label}`).join(', ')}`,
      { failures },
      options,
    );
  }
}
