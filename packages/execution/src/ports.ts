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
import type { AssetInfo, Book, Fill, FillApplication, PlannedTrade, SuppressedTrade } from '@books/portfolio';

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
  /** The stored intent's current state (strongly consistent). */
  stateOf(runId: RunId, clientOrderId: ClientOrderId): Promise<IntentState | undefined>;
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
    /** Legacy trades: the strategies the merged trade served, and each one's share. */
    readonly attribution?: {
      readonly names: readonly StrategyId[];
      readonly weights: Readonly<Record<string, Weight>>;
    };
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
  /**
   * Runs `work` holding the symbol's lock; waits (at most `waitMs`, else the adapter's bound) while
   * another order holds it.
   */
  withSymbol<T>(
    symbol: Symbol,
    owner: ClientOrderId,
    work: () => Promise<T>,
    options?: { readonly waitMs?: number },
  ): Promise<T>;
}

export interface BuyRelease {
  /** Sends a strategy's held BUYs once all of its SELLs are final (idempotent). */
  releaseIfDue(runId: RunId, strategyId: StrategyId): Promise<void>;
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
  readonly buysReleased: boolean;
  /** The legacy book's plan: per symbol, each strategy's share (its BUYs carry it). */
  readonly attribution?: Readonly<Record<string, Readonly<Record<string, Weight>>>>;
}

export interface RunProgress {
  readStrategy(runId: RunId, strategyId: StrategyId): Promise<StrategyRunState | undefined>;
  /** Marks the BUYs released with what was sent and what was suppressed (idempotent). */
  markBuysReleased(
    runId: RunId,
    strategyId: StrategyId,
    released: readonly PlannedTrade[],
    suppressed: readonly SuppressedTrade[],
  ): Promise<void>;
}

export interface MarketQuotes {
  prices(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, Price>>;
  assets(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, AssetInfo>>;
}
