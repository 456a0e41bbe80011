import { BooksError, type Money } from '@books/core';
import type { PaperAccountState, PaperOrderRecord, Versioned } from './records';

/** The paper account was never initialised (or its table does not exist yet). */
export class PaperAccountMissing extends BooksError {
  static override readonly errorName: string = 'PaperAccountMissing';
  constructor(where: string, options?: { cause?: unknown }) {
    super('PAPER_ACCOUNT_MISSING', `paper account ${where} not initialised`, { where }, options);
  }
}

/** One atomic change of a paper account. */
export interface PaperCommit {
  /** The account as read (its version) and as it must become; its version goes up by one. */
  readonly account: { readonly expectedVersion: number; readonly next: PaperAccountState };
  /** A new order; its client order id (and id) must not exist yet. */
  readonly newOrder?: PaperOrderRecord;
  /** Changed orders, each as read (`expectedRevision`) and as it must become (revision + 1). */
  readonly updatedOrders?: readonly { readonly order: PaperOrderRecord; readonly expectedRevision: number }[];
}

/**
 * Durable state of one paper account. Implementations apply a commit all-or-nothing and throw:
 * - DuplicateClientOrderIdError when `newOrder`'s client order id exists (nothing written);
 * - ConcurrencyError (core) when the account version or an order revision changed meanwhile.
 */
export interface PaperBrokerStore {
  /** Creates the account with this cash if it does not exist yet; never resets an existing one. */
  initialise(cash: Money): Promise<void>;
  /** Throws PaperAccountMissing when the account was never initialised. */
  loadAccount(): Promise<Versioned<PaperAccountState>>;
  getOrder(id: string): Promise<PaperOrderRecord | undefined>;
  getOrderByClientId(clientOrderId: string): Promise<PaperOrderRecord | undefined>;
  /** Orders whose status is not terminal, oldest first. */
  listOpenOrders(): Promise<PaperOrderRecord[]>;
  /**
   * `loadAccount` and `listOpenOrders` from one read of the account where the store can (the
   * DynamoDB store's STATE item holds both): what the account's cash and buying power need.
   */
  loadAccountAndOpenOrders?(): Promise<{
    readonly account: Versioned<PaperAccountState>;
    readonly open: PaperOrderRecord[];
  }>;
  commit(change: PaperCommit): Promise<void>;
}
