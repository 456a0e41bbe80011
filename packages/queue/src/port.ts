import type { StrategyExecutionRequested } from './messages';

/** Where planned trades go to be executed. */
export interface ExecutionQueue {
  /** Sends every message or throws; safe to call again with the same messages (execution dedupes). */
  send(messages: readonly StrategyExecutionRequested[]): Promise<void>;
}
