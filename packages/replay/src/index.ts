/** @books/replay: the replay engine, its performance metrics and the HTML report. */
export type { BacktestArgs, BacktestOptions, BacktestResult } from './backtest/engine';
export { runBacktest } from './backtest/engine';
export { configForFiles } from './backtest/files-config';
export type {
  FilesBacktestArgs,
  FilesBacktestEvent,
  FilesBacktestHooks,
  FilesBacktestOutcome,
} from './backtest/from-files';
export { backtestFromFiles } from './backtest/from-files';
export { backtestReportData } from './backtest/report';
export type { ReplayOptions, ReplayResult } from './replay/engine';
export { loadReplayConfig, runReplay } from './replay/engine';
export type { ReplayFlow } from './replay/flows';
export type {
  StackReplayArgs,
  StackReplayEvent,
  StackReplayHooks,
  StackReplayOutcome,
} from './replay/on-stack';
export { replayOnEmbeddedStack } from './replay/on-stack';
export { progressReporter } from './replay/progress';
export { resolveConfig } from './replay/resolve-config';
export type { ReplayArgs } from './replay/state';
export { formatSummary } from './replay/summary';
export { collectReport } from './report/collect';
export { ledgerDayInputs } from './report/ledger-days';
export { renderReport } from './report/render';
export { replayReportData } from './report/replay-report';
export { stageReport } from './report/stage-report';
export { withTraces } from './report/traces';
export { writeStageReport } from './report/write-stage-report';
