export type { Item, Plain, Read } from './attribute-codec';
export { fromAttribute, fromItem, toAttribute, toItem } from './attribute-codec';
export type { BatchGetOptions } from './batch-get';
export { batchGetEach, batchGetItems, batchKeyOf, MAX_BATCH_GET_KEYS } from './batch-get';
export type { LoadedBook } from './book-projection';
export {
  BookOverdrawnError,
  bookAt,
  fillOfTrade,
  loadBook,
  lotChangeItem,
  toPortfolioBook,
  transferItems,
  transferOfStored,
} from './book-projection';
export * from './broker-budget';
export type { TransactionFailure } from './errors';
export {
  ConditionFailedError,
  CorruptItemError,
  LedgerError,
  TransactionConditionError,
  TransactionConflictError,
  VersionConflictError,
} from './errors';
export { field } from './fields';
export { canonicalInstant, isCanonicalInstant } from './instant';
export type { Gsi1Key, ItemKey } from './keys';
export {
  ACTIVITIES_PARTITION,
  ALERTS_PARTITION,
  BOOKS_PARTITION,
  CASH,
  CONTROLS_PARTITION,
  keys,
  LEGACY_TRADES_PARTITION,
  lastRebalanceKey,
  METADATA,
  OPEN_MIGRATION,
  POISON_PARTITION,
  POOL_BALANCE,
  POOL_PARTITION,
  RECONCILE_REQUESTED,
  RUN_META,
  SK_PREFIX,
  stageLatestRunKey,
  strategyTradesPartition,
} from './keys';
export type { Condition, QuerySpec, TransactItem } from './ledger-table';
export { ABSENT, LedgerTable, MAX_TRANSACTION_ITEMS, PRESENT, versionedUpdate } from './ledger-table';
export { LedgerPlanRecorder } from './plan-recorder';
export type { ActivityOutcome, StoredActivity, StoredBookActivity } from './records/activity';
export {
  ACTIVITY_OUTCOMES,
  decodeActivity,
  decodeBookActivity,
  encodeActivity,
  encodeBookActivity,
} from './records/activity';
export type { AlertState } from './records/alert-state';
export { decodeAlertState, encodeAlertState } from './records/alert-state';
export { encodeAdjustmentAudit, encodePoisonMessage, encodeSymbolLock } from './records/audit';
export type { StoredCash } from './records/cash';
export { decodeCash, encodeCash } from './records/cash';
export type { ControlChange, DrawdownState } from './records/controls';
export { ACCOUNT_TARGET, decodeControlChange, encodeControlChange } from './records/controls';
export type { FlowMarker } from './records/flow-marker';
export {
  decodeFlowMarker,
  encodeFlowMarker,
  FlowMarkerSchema,
  flowMarkerKey,
  flowPartition,
  migrationKey,
} from './records/flow-marker';
export type { OrderIntent } from './records/intent';
export { decodeIntent, encodeIntent } from './records/intent';
export type { LastRebalance } from './records/last-rebalance';
export { decodeLastRebalance, encodeLastRebalance, readLastRebalance } from './records/last-rebalance';
export type { LegacyContribution, LegacySignals } from './records/legacy-signals';
export {
  decodeLegacySignals,
  encodeLegacySignals,
  LEGACY_SIGNALS_PARTITION,
  LegacyContributionSchema,
  LegacySignalsSchema,
  legacySignalsKey,
} from './records/legacy-signals';
export type { LegacyTrade } from './records/legacy-trade';
export { decodeLegacyTrade, encodeLegacyTrade } from './records/legacy-trade';
export type { StoredLot } from './records/lot';
export { decodeLot, encodeLot } from './records/lot';
export type {
  MigrationDirection,
  MigrationPlan,
  MigrationRecord,
  MigrationStatus,
  OpenMigration,
} from './records/migration';
export {
  decodeMigrationRecord,
  decodeOpenMigration,
  encodeMigrationRecord,
  encodeOpenMigration,
  MIGRATION_DIRECTIONS,
  MIGRATION_STATUSES,
} from './records/migration';
export type { NotificationSent } from './records/notification-sent';
export { decodeNotificationSent, encodeNotificationSent } from './records/notification-sent';
export type { OutboxEvent } from './records/outbox';
export { decodeOutboxEvent, encodeOutboxEvent } from './records/outbox';
export type { StoredPlan, StoredPlanInput } from './records/plan';
export { decodePlanItem, encodePlanItem, readStoredPlan, StoredPlanSchema } from './records/plan';
export type { PoolEntryKind, StoredPool, StoredPoolEntry } from './records/pool';
export { decodePool, decodePoolEntry, encodePool, encodePoolEntry, POOL_ENTRY_KINDS } from './records/pool';
export type { ReconEntry, ReconResult, ReconStatus } from './records/recon';
export { decodeRecon, encodeRecon, RECON_STATUSES } from './records/recon';
export type {
  RecordedRelease,
  ReleasedTrade,
  ReleaseInput,
  ReleaseSuppressed,
  StoredRelease,
} from './records/release';
export {
  decodeRecordedRelease,
  decodeRelease,
  encodeRecordedRelease,
  encodeRelease,
  releaseSentUpdate,
} from './records/release';
export type { RunMeta, RunStrategy } from './records/run';
export {
  decodeRunMeta,
  decodeRunStrategy,
  encodeRunMeta,
  encodeRunStrategy,
  StatusSchema,
} from './records/run';
export {
  encodeReconcileRequested,
  encodeRunSkip,
  encodeShadowReport,
  shadowReportJson,
} from './records/run-notes';
export type { IntentProgress, RunStrategyProgress } from './records/run-progress';
export { decodeIntentProgress, decodeRunStrategyProgress } from './records/run-progress';
export type { RunStatus, StrategyRunStatus } from './records/run-status';
export {
  assertRunTransition,
  assertStrategyRunTransition,
  canTransitionRun,
  canTransitionStrategyRun,
  INITIAL_RUN_STATUS,
  INITIAL_STRATEGY_RUN_STATUSES,
  InvalidStatusTransitionError,
  RUN_STATUSES,
  RunStatusSchema,
  STRATEGY_RUN_STATUSES,
  StrategyRunStatusSchema,
} from './records/run-status';
export type { StageLatestRun } from './records/stage-latest-run';
export {
  decodeStageLatestRun,
  encodeStageLatestRun,
  stageLatestRunCondition,
} from './records/stage-latest-run';
export type { StoredTrace } from './records/trace';
export { decodeTraceItem, encodeTraceItem, MAX_TRACE_CHARS, readStoredTrace } from './records/trace';
export type { StrategyTrade } from './records/trade';
export { decodeStrategyTrade, encodeStrategyTrade } from './records/trade';
export type { MovedLot, StoredPositionMove, StoredTransfer, TransferReason } from './records/transfer';
export { decodeTransfer, encodeTransfer, TRANSFER_REASONS } from './records/transfer';
export type { BookShare } from './repositories/activity-repository';
export { ActivityRepository } from './repositories/activity-repository';
export { AlertStateRepository } from './repositories/alert-state-repository';
export type { BookReadOptions, LotRef, StoredBook } from './repositories/book-repository';
export { BookRepository, FIRST_CASH_VERSION } from './repositories/book-repository';
export { ControlRepository } from './repositories/control-repository';
export type { IntentTransition } from './repositories/intent-repository';
export { IntentRepository } from './repositories/intent-repository';
export { LegacyRepository } from './repositories/legacy-repository';
export { MigrationRepository } from './repositories/migration-repository';
export { NotificationRepository } from './repositories/notification-repository';
export { OutboxRepository } from './repositories/outbox-repository';
export { cashActivityEntry, PoolRepository, poolMoveItem } from './repositories/pool-repository';
export { ReconRepository } from './repositories/recon-repository';
export type { RunItems, RunStrategyPatch, StrategyTransition } from './repositories/run-repository';
export { RunAlreadyExistsError, RunRepository, StatusConflictError } from './repositories/run-repository';
export type { TimeRange } from './repositories/trade-repository';
export { TradeRepository } from './repositories/trade-repository';
export { MAX_TRANSACT_GET_ITEMS, transactGetItems } from './transact-get';
export type { FillSummary, IntentSummary } from './views';
export { fillSummary, intentSummaries } from './views';
