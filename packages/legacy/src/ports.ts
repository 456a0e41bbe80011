import type { Quantity, RunId, StrategyId, Symbol, TradingDate } from '@books/core';
import { type LegacySignals, type StoredPlan } from '@books/ledger-client';
import type { Book, PlannedTrade } from '@books/portfolio';
import type { ShadowReport } from './shadow-report';

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

export type { ShadowReport, ShadowTarget, ShadowTrade } from './shadow-report';
export type { PlannedTrade };
