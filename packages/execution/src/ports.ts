import type { ClientOrderId, Money, Quantity, RunId, Side, StrategyId, Symbol } from '@books/core';
import type { Book, Fill, FillApplication } from '@books/portfolio';
import type { IntentState } from './intent-state';

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

export interface IntentStore {
  /** Creates the intent in NEW unless it exists; returns the stored one either way. */
  claim(intent: Omit<Intent, 'state'>): Promise<Intent>;
  /** A conditional write on `from`; `noop` when the intent is already in `to`. */
  transition(
    clientOrderId: ClientOrderId,
    runId: RunId,
    from: IntentState,
    to: IntentState,
    patch?: { readonly brokerOrderId?: string; readonly reason?: string },
  ): Promise<'applied' | 'noop'>;
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
  };
}

export interface ExecutionLedger {
  /** Throws on any read failure: a book is never assumed empty. */
  readBook(strategyId: StrategyId): Promise<VersionedBook>;
  /**
   * In ONE transaction: the trade item, the lot changes, the book's cash (conditional on the
   * version), the intent's final state (conditional on its current state) and the run's progress.
   * `already-recorded` when the trade or the intent's final state is already there; throws
   * ConcurrencyError when the book changed since it was read.
   */
  recordOutcome(outcome: TradeOutcome): Promise<'recorded' | 'already-recorded'>;
}

/** At most one open order per symbol across the whole account (both flows). */
export interface SymbolLocks {
  /** Runs `work` holding the symbol's lock; waits (bounded) while another order holds it. */
  withSymbol<T>(symbol: Symbol, owner: ClientOrderId, work: () => Promise<T>): Promise<T>;
}

export interface BuyRelease {
  /** Sends a strategy's held BUYs once all of its SELLs are final (idempotent). */
  releaseIfDue(runId: RunId, strategyId: StrategyId): Promise<void>;
}
