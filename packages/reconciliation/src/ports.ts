import type { Account, ExternalRow, Position } from '@books/broker';
import type {
  Clock,
  Logger,
  Money,
  Price,
  Quantity,
  RunId,
  Side,
  StrategyId,
  Symbol,
  TradingDate,
} from '@books/core';
import type { EventPublisher } from '@books/events';
import type { LoadedBook, ReconResult } from '@books/ledger-client';

/**
 * The stage's configured strategies. Their books are reconciled, and so is every other book on the
 * ledger (a removed strategy's book is retired, still an owner: see `BookSource.bookIds`).
 */
export interface ReconcileConfigSource {
  strategyIds(): Promise<readonly StrategyId[]>;
}

/** One order intent of the day's run, as much as the in-flight range needs. */
export interface RunIntent {
  readonly strategyId: StrategyId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly qty: Quantity;
  readonly state: string;
}

/** The day's run, if there is one: its id and every order intent it has so far. */
export interface RunOrders {
  ofDate(
    date: TradingDate,
  ): Promise<{ readonly runId: RunId; readonly intents: readonly RunIntent[] } | undefined>;
}

/** A book as stored (empty when it does not exist yet). Throws when it cannot be read. */
export interface BookSource {
  read(strategyId: StrategyId): Promise<LoadedBook>;
  /** Every book that exists, configured or not (LEGACY and EXTERNAL may be among them). */
  bookIds(): Promise<readonly StrategyId[]>;
}

/** The broker account: its positions (US equities), its cash and equity. */
export interface BrokerAccount {
  positions(): Promise<readonly Position[]>;
  account(): Promise<Pick<Account, 'cash' | 'equity'>>;
  /** Rows of classes the books never trade (options, crypto, multi-leg): reported, never a break. */
  otherClasses?(): Promise<readonly ExternalRow[]>;
}

/** One change the reconciler made to the EXTERNAL book. */
export interface ExternalEntry {
  readonly orderId: string;
  readonly symbol: Symbol;
  readonly side: 'buy' | 'sell';
  readonly qty: Quantity;
  readonly price: Price;
  /** What EXTERNAL held of the symbol before, and after. */
  readonly from: Quantity;
  readonly to: Quantity;
  readonly note: string;
}

export interface ExternalSync {
  readonly entries: readonly ExternalEntry[];
  /** Set when another reconciliation changed the book first: nothing of this one was written. */
  readonly skipped?: string;
  /** Symbols left out for want of a positive price (their break is reported all the same). */
  readonly unpriced?: readonly Symbol[];
  /**
   * What EXTERNAL holds after this sync, per symbol, when the sync knows it (the book it read, with
   * the entries it wrote); absent (a lost race, a failure), the caller reads the book again.
   */
  readonly held?: ReadonlyMap<Symbol, Quantity>;
}

/** Keeps the EXTERNAL book equal to the unowned broker positions (`syncExternalBook`). */
export interface ExternalBookSync {
  sync(input: {
    readonly unowned: ReadonlyMap<Symbol, Quantity>;
    readonly prices: ReadonlyMap<Symbol, Price>;
    readonly date: TradingDate;
    readonly at: string;
    /**
     * The EXTERNAL book as the reconciliation read it (with the other books); absent, the sync reads
     * it. Its version guards the sync's write, so a book changed since makes the sync a lost race.
     */
    readonly book?: LoadedBook;
  }): Promise<ExternalSync>;
}

/** `RECON#{date}` / `RESULT#{at}`: stores a result unless that instant is taken (false then). */
export interface ReconResultStore {
  put(result: ReconResult): Promise<boolean>;
}

/** Everything a reconciliation of the account reads and writes, and its stage. */
export interface ReconcileAccountPorts {
  /** The stage, the metric's `Stage` dimension. */
  readonly stage: string;
  readonly config: ReconcileConfigSource;
  readonly runs: RunOrders;
  readonly books: BookSource;
  readonly broker: BrokerAccount;
  /** The unallocated pool's balance as the ledger stores it (undefined before it is opened). */
  readonly pool: { balance(): Promise<Money | undefined> };
  readonly external: ExternalBookSync;
  /** The broker activities waiting for an operator (`books activities`): each a named break. */
  readonly activities?: PendingActivities;
  readonly results: ReconResultStore;
  /** Where each break is published as a ReconciliationBreak event; absent, none is. */
  readonly events?: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * What one reconciliation read, in its order (the books and the pool, then the broker): the
 * ledger and the account as of one moment, for its caller to use in the same invocation instead
 * of reading them again (the coordinator's run record and top-up grants). Never kept across
 * invocations. The books are as read before the EXTERNAL book's sync (which writes only EXTERNAL).
 */
export interface AccountRead {
  /** Every book read (configured, retired, LEGACY and EXTERNAL), absent ones read empty. */
  readonly books: ReadonlyMap<StrategyId, LoadedBook>;
  /** The pool's balance as stored; undefined before it is opened. */
  readonly pool: Money | undefined;
  readonly positions: readonly Position[];
  readonly account: Pick<Account, 'cash' | 'equity'>;
}

/** An activity the ingestion could not attribute: a named break until the operator resolves it. */
export interface PendingActivity {
  readonly id: string;
  readonly type: string;
  readonly symbol: string | null;
  readonly reason: string;
}

export interface PendingActivities {
  pending(): Promise<readonly PendingActivity[]>;
}
