import type {
  ClientOrderId,
  IntentState,
  Money,
  Price,
  Quantity,
  RunId,
  Side,
  StrategyId,
  Symbol,
  Weight,
} from '@books/core';
import type { StoredPlan } from '@books/ledger-client';
import type { AssetInfo, Book, Fill, FillApplication, PlannedTrade, SuppressedTrade } from '@books/portfolio';
import type { PlannedTradeRecord } from './planned-trade';

/** The durable record of one planned trade: the run's `INTENT#{clientOrderId}` item. */
export interface Intent {
  readonly clientOrderId: ClientOrderId;
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly qty: Quantity;
  readonly state: IntentState;
  readonly brokerOrderId?: string;
  readonly reason?: string;
}

/** An intent as claimed: the stored one, and whether this claim's conditional write created it. */
export type ClaimedIntent = Intent & {
  /**
   * This claim created the intent (its conditional create won): no earlier delivery of the
   * message got past its claim, so none placed its order. Absent: the intent was found.
   */
  readonly created?: boolean;
};

export interface IntentStore {
  /** Creates the intent in NEW unless it exists; returns the stored one either way. */
  claim(intent: Omit<Intent, 'state'> & { readonly leg?: number }): Promise<ClaimedIntent>;
  /** The stored intent's current state (strongly consistent). */
  stateOf(runId: RunId, clientOrderId: ClientOrderId): Promise<IntentState | undefined>;
  /**
   * A conditional write on `from`; `noop` when the intent is already in `to`; `{ final }` when it is
   * already in a final state (a concurrent delivery of the same message recorded its outcome):
   * nothing is left for the caller to do.
   */
  transition(
    clientOrderId: ClientOrderId,
    runId: RunId,
    from: IntentState,
    to: IntentState,
    patch?: { readonly brokerOrderId?: string; readonly reason?: string },
  ): Promise<'applied' | 'noop' | { readonly final: IntentState }>;
}

/** The book as stored, with the version its next write must be conditioned on. */
export interface VersionedBook {
  readonly book: Book;
  readonly version: number;
}

export interface TradeOutcome {
  readonly intent: Intent;
  /** FILLED, CANCELED, EXPIRED or REJECTED. */
  readonly finalState: IntentState;
  readonly reason?: string;
  /** Present when anything filled: the fill, its effect on the book, and the version read. */
  readonly fill?: {
    readonly fill: Fill;
    readonly application: FillApplication;
    readonly bookVersion: number;
    readonly strategyCapital: Money;
    /** Legacy trades: the strategies the merged trade served, and each one's share. */
    readonly attribution?: {
      readonly names: readonly StrategyId[];
      readonly weights: Readonly<Record<string, Weight>>;
    };
  };
  /**
   * The symbol's lease the outcome's writer holds, released in the same transaction when it is
   * still the owner's. A lease lost meanwhile (expired and taken over by another order) never
   * stops the outcome: it is then written without the release (the lease is the other order's).
   */
  readonly releaseLease?: LeaseRef;
}

export interface ExecutionLedger {
  /**
   * Throws on any read failure: a book is never assumed empty. The book's `appliedFillIds` are
   * those of `fillIds` (the fills about to be applied) it has applied; none when none are given.
   */
  readBook(strategyId: StrategyId, fillIds?: readonly string[]): Promise<VersionedBook>;
  /**
   * In ONE transaction: the trade item, the lot changes, the book's cash (conditional on the
   * version), the intent's final state (conditional on its current state) and the run's progress.
   * `already-recorded` when the trade or the intent's final state is already there; throws
   * ConcurrencyError when the book changed since it was read. `recorded`: the outcome's
   * `releaseLease` is released too (or was no longer the owner's); `already-recorded`: it is not.
   */
  recordOutcome(outcome: TradeOutcome): Promise<'recorded' | 'already-recorded'>;
}

/** A symbol's lease and the order that holds it. */
export interface LeaseRef {
  readonly symbol: Symbol;
  readonly owner: ClientOrderId;
}

/** The lease `work` holds while it runs under withSymbol. */
export interface SymbolLease extends LeaseRef {
  /**
   * The holder's last ledger write released the lease in its own transaction (or found it no
   * longer the owner's): withSymbol does not release it again.
   */
  released(): void;
}

/** At most one open order per symbol across the whole account (both flows). */
export interface SymbolLocks {
  /**
   * Runs `work` holding the symbol's lock; waits (at most `waitMs`, else the adapter's bound) while
   * another order holds it. The lease is released when `work` ends, unless `work` released it
   * already (SymbolLease.released).
   */
  withSymbol<T>(
    symbol: Symbol,
    owner: ClientOrderId,
    work: (lease: SymbolLease) => Promise<T>,
    options?: { readonly waitMs?: number },
  ): Promise<T>;
}

/** The run's stored plans: the authority on what may be placed. */
export interface PlannedTrades {
  /**
   * The trade the run's stored plan for the strategy (or its recorded BUY release) holds under
   * this client order id; undefined when it holds none.
   */
  find(
    runId: RunId,
    strategyId: StrategyId,
    clientOrderId: ClientOrderId,
  ): Promise<PlannedTradeRecord | undefined>;
  /**
   * A view for one batch of requests, which reads each run's stored plan of a strategy once for
   * the batch (a plan is written once, before any of its trades is sent, and never changed; a plan
   * not found is not remembered). Absent, every request reads it.
   */
  forBatch?(): PlannedTrades;
}

/** When a run's trades may be placed: inside its own trading day's session only. */
export interface RunWindows {
  /**
   * Why a trade of `runId` may no longer be placed at `now` (its trading day's session has
   * closed), or undefined while it may.
   */
  closedReason(runId: RunId, now: Date): Promise<string | undefined>;
  /**
   * Starts reading what `closedReason` needs for `runId` (its session), so that a later call need
   * not wait for it. Never fails: a read that failed is made again by `closedReason`.
   */
  prepare?(runId: RunId): void;
}

export interface BuyRelease {
  /**
   * Sends a strategy's held BUYs once all of its SELLs are final (idempotent). `plan`: the run's
   * stored plan of the strategy as the caller already read it (a plan is written once and never
   * changed), so it is not read again; absent, it is read.
   */
  releaseIfDue(runId: RunId, strategyId: StrategyId, plan?: StoredPlan): Promise<void>;
}

/** What the BUY release needs of a strategy's run item. */
export interface StrategyRunState {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly file: string;
  readonly allocation: Weight;
  readonly plannedAt: string;
  readonly weights: ReadonlyMap<Symbol, Weight>;
  /** The capital the plan deployed. */
  readonly capital: Money;
  readonly minTradeNotional: Money;
  readonly rebalanceThreshold?: Weight;
  /** SELLs of the plan not yet in a final state. */
  readonly pendingSells: number;
  /** The plan has SELLs: its BUYs are held until those are final, then released. */
  readonly heldBuys: boolean;
  /** The BUYs are out: sent with the plan (no SELLs), or released and sent. */
  readonly buysReleased: boolean;
  /** The recorded release, sent or not. */
  readonly release?: RecordedRelease;
  /** The legacy book's plan: per symbol, each strategy's share (its BUYs carry it). */
  readonly attribution?: Readonly<Record<string, Readonly<Record<string, Weight>>>>;
}

/** A strategy's BUY release as recorded: the BUYs it releases, and whether they were sent. */
export interface RecordedRelease {
  readonly buys: readonly (PlannedTrade & { readonly clientOrderId: ClientOrderId })[];
  readonly sent: boolean;
}

export interface RunProgress {
  /** `plan`: the strategy's stored plan of the run when the caller holds it (never changed once written). */
  readStrategy(
    runId: RunId,
    strategyId: StrategyId,
    plan?: StoredPlan,
  ): Promise<StrategyRunState | undefined>;
  /**
   * Records the BUYs released (and what was suppressed) before any is sent, once: returns the
   * release recorded first, which every concurrent caller then sends.
   */
  recordRelease(
    runId: RunId,
    strategyId: StrategyId,
    released: readonly (PlannedTrade & { readonly clientOrderId: ClientOrderId })[],
    suppressed: readonly SuppressedTrade[],
    at: string,
  ): Promise<RecordedRelease>;
  /** Marks the recorded release as sent (idempotent). */
  markReleaseSent(runId: RunId, strategyId: StrategyId, at: string): Promise<void>;
}

export interface MarketQuotes {
  prices(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, Price>>;
  assets(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, AssetInfo>>;
}
