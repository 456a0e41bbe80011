import type {
  AccountHalt,
  BookStanding,
  BooksConfig,
  Flow,
  Money,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
} from '@books/core';
import type { Book } from '@books/portfolio';
import type { LatestRun } from './run-order';
import type { TradingSession } from './run-window';

export interface ConfigSource {
  /** The stage's validated configuration; throws ValidationError listing every problem. */
  load(): Promise<BooksConfig>;
}

export interface MarketCalendar {
  /** The session of `date`, or undefined when the market does not open that day. */
  session(date: TradingDate): Promise<TradingSession | undefined>;
}

export interface AccountSnapshotSource {
  account(): Promise<{ readonly equity: Money; readonly cash: Money }>;
  /** The account's positions at market value (the concentration warning); absent, no warning. */
  positions?(): Promise<readonly { readonly symbol: Symbol; readonly marketValue: Money }[]>;
}

/** The trader controls in force and each book's standing (runtime `readStandings`). */
export interface ControlStandings {
  standings(strategies: readonly StrategyId[]): Promise<{
    readonly halt?: AccountHalt;
    readonly books: ReadonlyMap<StrategyId, BookStanding>;
  }>;
}

/** A book as the coordinator's capital snapshot values it (at the broker's marks). */
export interface BookCapital {
  readonly equity: Money;
  readonly cash: Money;
}

/**
 * The books, the pool and the broker account as the plan's reconciliation read them (books first,
 * then the broker): the plan's one snapshot of them, passed along within the invocation (the run
 * record's equity and cash, the top-up grants), never kept across invocations.
 */
export interface PlanSnapshot {
  /** The books read, by strategy; `exists` is false for a book never stored (it reads empty). */
  readonly books: ReadonlyMap<StrategyId, { readonly book: Book; readonly exists: boolean }>;
  /** The pool's balance as stored; undefined before it is opened. */
  readonly pool: Money | undefined;
  readonly positions: readonly {
    readonly symbol: Symbol;
    readonly qty: Quantity;
    readonly marketValue: Money;
  }[];
  readonly account: { readonly equity: Money; readonly cash: Money };
}

/** The unallocated pool and the books, for the run's top-up grants (DESIGN.md §5). */
export interface CapitalSource {
  /** When the pool opened; undefined before (a read: the plan starts it with its first reads). */
  poolOpenedAt(): Promise<string | undefined>;
  /**
   * Opens the pool once, at the stage's first run, with the account's cash that no book holds
   * (LEGACY and EXTERNAL included); a pool already open is left as it is. `seen`: the pool as the
   * plan read it (`poolOpenedAt`), not read again. Answers when it was opened, when that is known
   * (read, or opened here); undefined else.
   */
  openPool(
    books: readonly StrategyId[],
    at: string,
    seen: { readonly openedAt: string | undefined },
  ): Promise<{ readonly openedAt: string } | undefined>;
  /**
   * The pool's balance (what it would open with, when not open yet) and each existing book's equity
   * and cash. `known`: the plan's snapshot; when it holds the pool and every book asked, they are
   * valued from it instead of read again.
   */
  snapshot(
    books: readonly StrategyId[],
    known?: PlanSnapshot,
  ): Promise<{ readonly pool: Money; readonly books: ReadonlyMap<StrategyId, BookCapital> }>;
}

export interface StrategySymbols {
  /** Every symbol a strategy's DSL file can hold (any branch). */
  symbolsOf(file: string): Promise<readonly Symbol[]>;
}

export interface RunStrategyEntry {
  readonly strategyId: StrategyId;
  readonly file: string;
  readonly allocation: string;
  readonly flow: string;
  readonly status: 'PENDING' | 'SKIPPED';
  readonly note?: string;
}

export interface RunRecord {
  readonly runId: RunId;
  readonly stage: string;
  readonly tradingDate: TradingDate;
  /** The Step Functions execution (or local runner) that holds the lock. */
  readonly executionId: string;
  readonly plannedAt: string;
  /** The close of the trading date's session, as the broker's calendar gave it (an instant). */
  readonly sessionCloseAt?: string;
  readonly equity: Money;
  readonly cash: Money;
  readonly strategies: readonly RunStrategyEntry[];
  readonly warnings: readonly string[];
}

export interface RunStore {
  /**
   * Takes the run lock and records the run with every strategy PENDING, atomically with respect
   * to other triggers: `created` for the caller that won, `exists` (with the stored record) for
   * everyone else, including a retry of the same execution.
   */
  createRun(
    record: RunRecord,
  ): Promise<{ readonly result: 'created' | 'exists'; readonly record: RunRecord }>;
  recordSkip(stage: string, date: TradingDate, reason: string, at: string): Promise<void>;
  finishRun(runId: RunId, outcomes: readonly DispatchOutcome[], at: string): Promise<void>;
}

export interface DispatchOutcome {
  readonly strategyId: string;
  readonly outcome: string;
  readonly reason?: string;
}

/** A symbol whose broker position the books do not explain (orders in flight already accounted for). */
export interface ReconciliationBreak {
  readonly symbol: Symbol;
  /** DRIFT, UNOWNED or PHANTOM. */
  readonly status: string;
  /** Broker quantity minus what the books and orders in flight explain. */
  readonly unexplained: string;
  /** The strategies whose books hold the symbol (EXTERNAL excluded). */
  readonly holders: readonly StrategyId[];
}

/** A broker activity waiting for an operator (a named break of the reconciliation). */
export interface PendingActivityRow {
  readonly id: string;
  readonly type: string;
  readonly symbol: string | null;
  readonly reason: string;
}

export interface ReconciliationCheck {
  /**
   * Reconciles every book with the broker now; the breaks found (empty when the books explain the
   * account), and what it read (the plan's snapshot of the books and the account). `known.pendingActivities`:
   * the pending activities as this invocation's ingestion just read them (it wrote none), not read again.
   */
  breaks(
    date: TradingDate,
    known?: { readonly pendingActivities?: readonly PendingActivityRow[] },
  ): Promise<{ readonly breaks: readonly ReconciliationBreak[]; readonly read?: PlanSnapshot }>;
}

/** Run-time flow overrides per strategy (an SSM parameter each, deployed). */
export interface FlowOverrides {
  overrides(): Promise<ReadonlyMap<StrategyId, Flow>>;
}

export interface FlowGuard {
  /**
   * The strategies whose flow does not match where their holdings are (a migration not run, or
   * half done), each with the reason and the command that fixes it. Those are not planned.
   */
  check(
    strategies: readonly { readonly id: StrategyId; readonly flow: Flow }[],
  ): Promise<ReadonlyMap<StrategyId, string>>;
}

/** A migration between the flows that is still open (a crash or a refusal stopped it mid-way). */
export interface OpenMigrationInfo {
  readonly strategyId: StrategyId;
  readonly migrationId: string;
  /** Where it moves the holdings: `books migrate {sid} --to {to}` finishes it. */
  readonly to: 'per-strategy' | 'legacy';
}

export interface MigrationGate {
  /**
   * The open migrations of these strategies. While one is open its strategy's holdings are split
   * between its own book and the legacy book: neither the strategy nor the merged flow (which
   * trades the legacy book) may be planned until it is finished.
   */
  open(strategies: readonly StrategyId[]): Promise<readonly OpenMigrationInfo[]>;
}

/** The stage's runs in date order (run-order.ts). */
export interface RunHistory {
  /** The stage's latest run and whether it is complete; undefined before its first run. */
  latest(stage: string): Promise<Omit<LatestRun, 'closeAt'> | undefined>;
  /**
   * Makes `run` the stage's latest, only if the latest is still the one read (`seen`): false when
   * another run moved it first (read again and decide again).
   */
  advance(
    stage: string,
    seen: TradingDate | undefined,
    run: { readonly runId: RunId; readonly tradingDate: TradingDate; readonly at: string },
  ): Promise<boolean>;
}

/**
 * Posts the broker's non-trade activities (dividends, splits, symbol changes, account cash) to the
 * books, the pool or the operator's queue, each once by its id (`reconciliation`'s ingestion).
 */
export interface ActivityIngestion {
  /** `known.poolOpenedAt`: when the pool opened, as the plan just read it (not read again). */
  ingest(date: TradingDate, at: string, known?: { readonly poolOpenedAt?: string }): Promise<IngestResult>;
  /**
   * Starts the ingestion's reads (the activities since the pool opened) ahead of it, posting
   * nothing: answers the ingestion of `date` that posts from them. Absent, `ingest` reads them.
   */
  readAhead?(date: TradingDate, poolOpenedAt: string): Promise<(at: string) => Promise<IngestResult>>;
}

export interface IngestResult {
  readonly posted: readonly string[];
  readonly pending: readonly { readonly id: string; readonly reason: string }[];
  /** The ledger's pending activities after the ingestion, when it read them and wrote none. */
  readonly stillPending?: readonly PendingActivityRow[];
}
