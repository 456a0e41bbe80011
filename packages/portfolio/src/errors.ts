import { BooksError, type StrategyId, type Symbol } from '@books/core';

/** A fill whose id the book has already applied: books fold each fill exactly once. */
export class DuplicateFillError extends BooksError {
  static override readonly errorName: string = 'DuplicateFillError';
  constructor(
    readonly strategyId: StrategyId,
    readonly fillId: string,
  ) {
    super('DUPLICATE_FILL', `book ${strategyId} has already applied fill ${fillId}`, { strategyId, fillId });
  }
}

/** A transfer whose id the book has already applied. */
export class DuplicateTransferError extends BooksError {
  static override readonly errorName: string = 'DuplicateTransferError';
  constructor(
    readonly strategyId: StrategyId,
    readonly transferId: string,
  ) {
    super('DUPLICATE_TRANSFER', `book ${strategyId} has already applied transfer ${transferId}`, {
      strategyId,
      transferId,
    });
  }
}

/** A SELL for more than the book holds of the symbol: a book never goes short. */
export class OversellError extends BooksError {
  static override readonly errorName: string = 'OversellError';
  constructor(
    readonly strategyId: StrategyId,
    readonly symbol: Symbol,
    readonly requested: string,
    readonly held: string,
  ) {
    super('OVERSELL', `book ${strategyId} cannot sell ${requested} ${symbol}: it holds ${held}`, {
      strategyId,
      symbol,
      requested,
      held,
    });
  }
}

/** A fill that is not a fact we can book (non-positive quantity or price, negative fees, bad time). */
export class InvalidFillError extends BooksError {
  static override readonly errorName: string = 'InvalidFillError';
  constructor(
    readonly fillId: string,
    reason: string,
  ) {
    super('INVALID_FILL', `fill ${fillId} is invalid: ${reason}`, { fillId, reason });
  }
}

/** A buy whose lot key (symbol, openedAt, orderId) already names an open lot of the book. */
export class LotKeyCollisionError extends BooksError {
  static override readonly errorName: string = 'LotKeyCollisionError';
  constructor(
    readonly strategyId: StrategyId,
    readonly lotId: string,
  ) {
    super('LOT_KEY_COLLISION', `book ${strategyId} already has an open lot ${lotId}`, { strategyId, lotId });
  }
}

/** A transfer that is malformed or would take out more cash than the book holds. */
export class InvalidTransferError extends BooksError {
  static override readonly errorName: string = 'InvalidTransferError';
  constructor(
    readonly transferId: string,
    reason: string,
  ) {
    super('INVALID_TRANSFER', `transfer ${transferId} is invalid: ${reason}`, { transferId, reason });
  }
}

/** Valuation or planning needs a price that was not given: never valued at zero or at cost. */
export class MissingPriceError extends BooksError {
  static override readonly errorName: string = 'MissingPriceError';
  constructor(readonly symbols: readonly Symbol[]) {
    super('MISSING_PRICE', `no price for held or targeted symbol(s) ${symbols.join(', ')}`, { symbols });
  }
}

/** Planning or policy input that breaks a stated precondition (weights, capital, allocations). */
export class InvalidPlanInputError extends BooksError {
  static override readonly errorName: string = 'InvalidPlanInputError';
  constructor(reason: string, context: Readonly<Record<string, unknown>> = {}) {
    super('INVALID_PLAN_INPUT', reason, context);
  }
}

/** Reconciliation input that is ambiguous (e.g. the LEGACY book given twice). */
export class InvalidReconciliationInputError extends BooksError {
  static override readonly errorName: string = 'InvalidReconciliationInputError';
  constructor(reason: string) {
    super('INVALID_RECONCILIATION_INPUT', reason);
  }
}

/** A broker activity's posting that a book cannot take (it holds none of the symbol, a bad ratio…). */
export class BooksActivityError extends BooksError {
  static override readonly errorName: string = 'BooksActivityError';
  constructor(
    readonly postingId: string,
    reason: string,
  ) {
    super('BAD_ACTIVITY_POSTING', `activity posting ${postingId}: ${reason}`, { postingId, reason });
  }
}
