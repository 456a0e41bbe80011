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
  /** Every book by its cash item (a sparse GSI1 key, set with each cash write): the books that exist. */
  bookIndexGsi1: (sid: StrategyId): Gsi1Key => ({
    GSI1PK: BOOKS_PARTITION,
    GSI1SK: `${SK_PREFIX.book}${sid}`,
  }),
  lot: (sid: StrategyId, symbol: Symbol, openedAt: string, orderId: string): ItemKey => ({
    PK: keys.book(sid),
    SK: `LOT#${symbol}#${canonicalInstant(openedAt)}#${orderId}`,
  }),
  cash: (sid: StrategyId): ItemKey => ({ PK: keys.book(sid), SK: CASH }),
  transfer: (sid: StrategyId, at: string, id: string): ItemKey => ({
    PK: keys.book(sid),
    SK: `TRANSFER#${canonicalInstant(at)}#${id}`,
  }),
  run: (runId: RunId): string => `RUN#${runId}`,
  runMeta: (runId: RunId): ItemKey => ({ PK: keys.run(runId), SK: RUN_META }),
  runStrategy: (runId: RunId, sid: StrategyId): ItemKey => ({ PK: keys.run(runId), SK: `STRATEGY#${sid}` }),
  intent: (runId: RunId, clientOrderId: ClientOrderId): ItemKey => ({
    PK: keys.run(runId),
    SK: `INTENT#${clientOrderId}`,
  }),
  /** A strategy's plan for the run (JSON), written with its PENDING → planned transition. */
  plan: (runId: RunId, sid: StrategyId): ItemKey => ({ PK: keys.run(runId), SK: `${SK_PREFIX.plan}${sid}` }),
  /** A strategy's decision trace for the run (gzip JSON), written with its plan. */
  trace: (runId: RunId, sid: StrategyId): ItemKey => ({
    PK: keys.run(runId),
    SK: `${SK_PREFIX.trace}${sid}`,
  }),
  /** The marker of a strategy's released BUYs. */
  release: (runId: RunId, sid: StrategyId): ItemKey => ({
    PK: keys.run(runId),
    SK: `${SK_PREFIX.release}${sid}`,
  }),
  /** A shadow strategy's comparison of its plan with the legacy flow's (JSON). */
  shadow: (runId: RunId, sid: StrategyId): ItemKey => ({
    PK: keys.run(runId),
    SK: `${SK_PREFIX.shadow}${sid}`,
  }),
  /** The run's one request for reconciliation, once it is complete. */
  reconcileRequested: (runId: RunId): ItemKey => ({ PK: keys.run(runId), SK: RECONCILE_REQUESTED }),
  /** A trigger that found no run to start (a holiday, outside the window), in the partition of the run it would have been. */
  runSkip: (runId: RunId, at: string): ItemKey => ({
    PK: keys.run(runId),
    SK: `${SK_PREFIX.runSkip}${canonicalInstant(at)}`,
  }),
  /** A malformed execution message kept for a human. */
  poisonMessage: (messageId: string): ItemKey => ({
    PK: POISON_PARTITION,
    SK: `${SK_PREFIX.poisonMessage}${messageId}`,
  }),
  /** The lease of a symbol: at most one open order on it across the account. */
  symbolLock: (symbol: Symbol): ItemKey => ({ PK: `LOCK#SYMBOL#${symbol}`, SK: 'LOCK' }),
  /** The audit partition of a strategy's projection repairs (never read back into the book). */
  adjustments: (sid: StrategyId): string => `STRATEGY#${sid}#ADJUSTMENT`,
  adjustment: (sid: StrategyId, at: string, id: string): ItemKey => ({
    PK: keys.adjustments(sid),
    SK: `${SK_PREFIX.adjustment}${canonicalInstant(at)}#${id}`,
  }),
  /** Where a strategy's holdings are (its flow marker) and the audit of its migrations. */
  flow: (sid: string): string => `STRATEGY#${sid}#FLOW`,
  flowMarker: (sid: string): ItemKey => ({ PK: keys.flow(sid), SK: 'CURRENT' }),
  /** Present while a migration of the strategy is open: names it (the coordinator refuses the strategy). */
  openMigration: (sid: string): ItemKey => ({ PK: keys.flow(sid), SK: OPEN_MIGRATION }),
  migration: (sid: string, at: string, id: string): ItemKey => ({
    PK: keys.flow(sid),
    SK: `${SK_PREFIX.migration}${canonicalInstant(at)}#${id}`,
  }),
  /** The legacy flow's merged signals of a run, listed by trading date. */
  legacySignals: (tradingDate: string, runId: string): ItemKey => ({
    PK: LEGACY_SIGNALS_PARTITION,
    SK: `${SK_PREFIX.legacySignals}${tradingDate}#${runId}`,
  }),
  /** The unallocated pool: the account's cash that no book holds (DESIGN.md §5). */
  pool: (): ItemKey => ({ PK: POOL_PARTITION, SK: POOL_BALANCE }),
  /** A deposit, withdrawal or account-level cash activity posted to the pool, once per id. */
  poolEntry: (id: string): ItemKey => ({ PK: POOL_PARTITION, SK: `${SK_PREFIX.poolEntry}${id}` }),
  /** The record of every trader-control change of the stage (`books pause|resume|liquidate|halt`). */
  controlChange: (at: string, id: string): ItemKey => ({
    PK: CONTROLS_PARTITION,
    SK: `${SK_PREFIX.controlChange}${canonicalInstant(at)}#${id}`,
  }),
  /** A book's control state that the system keeps (its drawdown stop, its done liquidations). */
  bookControl: (sid: StrategyId): string => `STRATEGY#${sid}#CONTROL`,
  drawdown: (sid: StrategyId): ItemKey => ({ PK: keys.bookControl(sid), SK: DRAWDOWN }),
  /** A liquidation request of a book whose run planned the sale of every lot (once per request id). */
  liquidation: (sid: StrategyId, requestId: string): ItemKey => ({
    PK: keys.bookControl(sid),
    SK: `${SK_PREFIX.liquidation}${requestId}`,
  }),
  /** A broker activity's share posted to one book (a dividend, a split, a symbol change), once per id. */
  bookActivity: (sid: StrategyId, activityId: string): ItemKey => ({
    PK: keys.book(sid),
    SK: `${SK_PREFIX.activity}${activityId}`,
  }),
  /** A broker activity as ingested (posted, or pending for an operator), once per activity id. */
  activity: (activityId: string): ItemKey => ({
    PK: ACTIVITIES_PARTITION,
    SK: `${SK_PREFIX.activity}${activityId}`,
  }),
  /** A run's events to publish (the outbox): written with the fact they tell, in its transaction. */
  outbox: (runId: RunId): string => `OUTBOX#${runId}`,
  outboxEvent: (runId: RunId, eventId: string): ItemKey => ({
    PK: keys.outbox(runId),
    SK: `${SK_PREFIX.outboxEvent}${eventId}`,
  }),
  /** The state of one alert subject (a strategy's runs, the reconciliation): one alert per episode. */
  alertState: (subject: string): ItemKey => ({
    PK: ALERTS_PARTITION,
    SK: `${SK_PREFIX.alertSubject}${subject}`,
  }),
  /** One message delivered through one sink (the notifier's per-sink idempotence). */
  notificationSent: (messageKey: string, sink: string): ItemKey => ({
    PK: `NOTIFY#${messageKey}`,
    SK: `${SK_PREFIX.notificationSink}${sink}`,
  }),
  recon: (date: TradingDate): string => `RECON#${date}`,
  reconResult: (date: TradingDate, at: string): ItemKey => ({
    PK: keys.recon(date),
    SK: `RESULT#${canonicalInstant(at)}`,
  }),
} as const;

export const LEGACY_TRADES_PARTITION = 'LEGACY#TRADES';
/** The GSI1 partition listing every book (see `keys.bookIndexGsi1`). */
export const BOOKS_PARTITION = 'BOOKS';
export const POISON_PARTITION = 'POISON';
export const LEGACY_SIGNALS_PARTITION = 'LEGACY#SIGNALS';
export const POOL_PARTITION = 'ACCOUNT#POOL';
export const ALERTS_PARTITION = 'ALERTS';
export const POOL_BALANCE = 'BALANCE';
export const CONTROLS_PARTITION = 'CONTROLS';
export const DRAWDOWN = 'DRAWDOWN';
/** The broker's non-trade activities as ingested: one item each, the operator's queue among them. */
export const ACTIVITIES_PARTITION = 'ACTIVITIES';
/** Sort keys of singular items. */
export const RUN_META = 'META';
export const CASH = 'CASH';
export const RECONCILE_REQUESTED = 'RECONCILE_REQUESTED';
export const OPEN_MIGRATION = 'OPEN_MIGRATION';

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
  plan: 'PLAN#',
  trace: 'TRACE#',
  release: 'RELEASE#',
  shadow: 'SHADOW#',
  runSkip: 'SKIP#',
  poisonMessage: 'MSG#',
  adjustment: 'ADJ#',
  migration: 'MIGRATION#',
  legacySignals: 'RUN#',
  reconResult: 'RESULT#',
  book: 'BOOK#',
  poolEntry: 'ENTRY#',
  controlChange: 'CHANGE#',
  liquidation: 'LIQUIDATED#',
  activity: 'ACTIVITY#',
  outboxEvent: 'EVENT#',
  alertSubject: 'SUBJECT#',
  notificationSink: 'SINK#',
} as const;

/** A book's last rebalance (`STRATEGY#{sid}#REBALANCE` / `LAST`): its rebalance schedule's anchor. */
export function lastRebalanceKey(sid: StrategyId): ItemKey {
  return { PK: `STRATEGY#${sid}#REBALANCE`, SK: 'LAST' };
}

/** A stage's latest run (`STAGE#{stage}` / `LATEST_RUN`): runs go forward in date from it. */
export function stageLatestRunKey(stage: string): ItemKey {
  return { PK: `STAGE#${stage}`, SK: 'LATEST_RUN' };
}
