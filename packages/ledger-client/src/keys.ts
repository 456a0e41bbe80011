import type { ClientOrderId, RunId, StrategyId, Symbol, TradingDate } from '@books/core';
import { canonicalInstant } from './instant';

/** The primary key of every ledger item (DESIGN.md §4). */
export interface ItemKey {
  readonly PK: string;
  readonly SK: string;
}

/** The GSI1 key of per-strategy trades: a strategy's trades in time order. */
export interface Gsi1Key {
  readonly GSI1PK: string;
  readonly GSI1SK: string;
}

export const METADATA = 'METADATA';

export const keys = {
  strategyTrade: (sid: StrategyId, orderId: string): ItemKey => ({
    PK: `STRATEGY#${sid}#TRADE#${orderId}`,
    SK: METADATA,
  }),
  strategyTradeGsi1: (sid: StrategyId, filledAt: string, orderId: string): Gsi1Key => ({
    GSI1PK: strategyTradesPartition(sid),
    GSI1SK: `TRADE#${canonicalInstant(filledAt)}#${orderId}`,
  }),
  legacyTrade: (orderId: string): ItemKey => ({ PK: `TRADE#${orderId}`, SK: METADATA }),
  /** Legacy trades in time order (an addition to DESIGN.md §4: they have no partition of their own). */
  legacyTradeGsi1: (filledAt: string, orderId: string): Gsi1Key => ({
    GSI1PK: LEGACY_TRADES_PARTITION,
    GSI1SK: `TRADE#${canonicalInstant(filledAt)}#${orderId}`,
  }),
  book: (sid: StrategyId): string => `STRATEGY#${sid}#BOOK`,
  lot: (sid: StrategyId, symbol: Symbol, openedAt: string, orderId: string): ItemKey => ({
    PK: keys.book(sid),
    SK: `LOT#${symbol}#${canonicalInstant(openedAt)}#${orderId}`,
  }),
  cash: (sid: StrategyId): ItemKey => ({ PK: keys.book(sid), SK: 'CASH' }),
  transfer: (sid: StrategyId, at: string, id: string): ItemKey => ({
    PK: keys.book(sid),
    SK: `TRANSFER#${canonicalInstant(at)}#${id}`,
  }),
  run: (runId: RunId): string => `RUN#${runId}`,
  runMeta: (runId: RunId): ItemKey => ({ PK: keys.run(runId), SK: 'META' }),
  runStrategy: (runId: RunId, sid: StrategyId): ItemKey => ({ PK: keys.run(runId), SK: `STRATEGY#${sid}` }),
  intent: (runId: RunId, clientOrderId: ClientOrderId): ItemKey => ({
    PK: keys.run(runId),
    SK: `INTENT#${clientOrderId}`,
  }),
  recon: (date: TradingDate): string => `RECON#${date}`,
  reconResult: (date: TradingDate, at: string): ItemKey => ({
    PK: keys.recon(date),
    SK: `RESULT#${canonicalInstant(at)}`,
  }),
} as const;

export const LEGACY_TRADES_PARTITION = 'LEGACY#TRADES';

export function strategyTradesPartition(sid: StrategyId): string {
  return `STRATEGY#${sid}`;
}

/** Sort-key prefixes within a partition, for `begins_with` queries. */
export const SK_PREFIX = {
  lot: 'LOT#',
  transfer: 'TRANSFER#',
  trade: 'TRADE#',
  runStrategy: 'STRATEGY#',
  intent: 'INTENT#',
  reconResult: 'RESULT#',
} as const;

/** A stage's latest run (`STAGE#{stage}` / `LATEST_RUN`): runs go forward in date from it. */
export function stageLatestRunKey(stage: string): ItemKey {
  return { PK: `STAGE#${stage}`, SK: 'LATEST_RUN' };
}
