import type { Quantity, RunId, StrategyId, Symbol, TradingDate } from '@books/core';
import type { LegacySignals } from '@books/ledger-client';
import type { Book, PlannedTrade } from '@books/portfolio';
import type { StoredPlan } from '@books/runtime';

/** What the legacy planner reads and writes of the ledger. */
export interface LegacyLedger {
  /** The stored legacy book (lots, cash); `exists` false before its first funding. */
  readLegacyBook(): Promise<{ readonly book: Book; readonly exists: boolean }>;
  /** Every per-strategy book's positions, and the EXTERNAL book's: what the legacy book may not trade. */
  ownedPositions(
    strategyIds: readonly StrategyId[],
  ): Promise<ReadonlyMap<StrategyId, ReadonlyMap<Symbol, Quantity>>>;
  /** The merged signals of the latest legacy run before `date`. */
  previousSignals(date: TradingDate): Promise<LegacySignals | undefined>;
  /** Records a run's merged signals once; returns what is stored (the first writer's). */
  putSignals(signals: LegacySignals): Promise<LegacySignals>;
  /** The legacy plan an earlier attempt of this run recorded. */
  readPlan(runId: RunId): Promise<StoredPlan | undefined>;
  /**
   * In ONE transaction: the legacy plan, its capital transfer and the legacy book's cash, and the
   * run's LEGACY item (pending SELLs, held BUYs); `already-recorded` when an attempt did.
   */
  recordPlan(plan: StoredPlan, status: 'PLANNED' | 'NOTHING_TO_DO'): Promise<'recorded' | 'already-recorded'>;
  recordShadow(report: ShadowReport): Promise<void>;
}

export interface BrokerPositions {
  positions(): Promise<ReadonlyMap<Symbol, Quantity>>;
}

/** One symbol of a shadow comparison: the legacy-attributed target vs the per-strategy one. */
export interface ShadowTarget {
  readonly symbol: Symbol;
  /** The strategy's share of the merged target (contribution × legacy capital ÷ legacy allocation). */
  readonly legacyValue: string;
  readonly legacyQty: string;
  /** Its own plan's target: weight × its capital. */
  readonly perStrategyValue: string;
  readonly perStrategyQty: string;
}

export interface ShadowTrade {
  readonly symbol: Symbol;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly value: string;
}

/**
 * A shadow strategy's comparison for one run (`RUN#{runId}` / `SHADOW#{sid}`): what the merged
 * flow did on its behalf, and what it would have done with its own book (its carve-out of the
 * legacy book as a migration would make it now).
 */
export interface ShadowReport {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly asOf: TradingDate;
  readonly capital: string;
  readonly targets: readonly ShadowTarget[];
  /** The merged flow's trades × the strategy's share of each. */
  readonly legacyTrades: readonly ShadowTrade[];
  /** Its own plan's trades from its carve-out. */
  readonly perStrategyTrades: readonly ShadowTrade[];
  readonly suppressed: readonly (ShadowTrade & { readonly reason: string })[];
}

export type { PlannedTrade };
