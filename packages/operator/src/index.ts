/** @books/operator: a stage (embedded or deployed) behind one Stage interface, and the operator's actions on it. */
export type { PositionRow, StrategyPnl } from './queries/book-queries';
export { latestPrices, strategyPnl, strategyPositions, strategyTrades } from './queries/book-queries';
export { ledgerLatestRunDate } from './queries/latest-run';
export type { QueryContext } from './queries/local-session';
export { selectStrategies } from './queries/local-session';
export { unconfiguredBookIds } from './queries/retired-books';
export type { RunCompleteness, StrategyCompleteness, TradeCompleteness } from './queries/run-completeness';
export { loadRunCompleteness } from './queries/run-query';
export { confirmMutation, mutating } from './stage/confirm';
export type { AwsAccess } from './stage/deployed-stage';
export { openDeployed, stageKindOf, withStage } from './stage/open-stage';
export type { Output } from './stage/output';
export { runDeployedDay, runOnDeployedStage, sfnClientOf } from './stage/run-deployed';
export type { Stage } from './stage/stage';
export { StageError } from './stage/stage-error';
