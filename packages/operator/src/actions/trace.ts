import type { RunId, StrategyId } from '@books/core';
import { readStoredTrace, type StoredTrace } from '@books/ledger-client';
import type { QueryContext } from '../queries/local-session';

/**
 * The decision trace the strategy worker stored with the strategy's plan in the run, if any (none:
 * a failure, a merged-flow strategy, or no run). The trace is as stored: the caller parses it.
 */
export function runTrace(ctx: QueryContext, runId: RunId, sid: StrategyId): Promise<StoredTrace | undefined> {
  return readStoredTrace(ctx.services.table, runId, sid);
}
