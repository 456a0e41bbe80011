/**
 * @books/cli: the `books` command line (src/main.ts). Each command parses its options, calls an
 * operator, replay or local function and formats the result; the run* functions are exported for
 * the end-to-end suites, which call a command as a user would.
 */

export { runActivities } from './commands/activities';
export type { AdjustArgs } from './commands/adjust';
export { runAdjust } from './commands/adjust';
export { backtestCommand } from './commands/backtest';
export { runControl } from './commands/controls';
export { runDlq } from './commands/dlq';
export { runExplain } from './commands/explain';
export { runFlows } from './commands/flows';
export { runMigrate } from './commands/migrate';
export { runPnl } from './commands/pnl';
export { runPositions } from './commands/positions';
export { runReconcile } from './commands/reconcile';
export { runRecover } from './commands/recover';
export { replayCommand } from './commands/replay';
export { runReport } from './commands/report';
export { runRuns } from './commands/runs';
export { runShadowReport } from './commands/shadow-report';
export { runStackDown, runStackStatus, runStackUp } from './commands/stack';
export { runStatus } from './commands/status';
export { runTrades } from './commands/trades';
export type { Output } from './format';
