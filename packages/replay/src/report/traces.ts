import { RunId, StrategyId } from '@books/core';
import { formatTrace, TraceSchema } from '@books/dsl';
import { readStoredTrace } from '@books/ledger-client';
import type { Services } from '@books/runtime';
import type { ReportRun } from './model';

/**
 * Each planned strategy of the run with its targets and the decision trace behind them (the tree
 * `books explain` prints), read from the trace the worker stored with the plan. A strategy with no
 * stored trace (failed, merged flow, an older run) is left as it is.
 */
export async function withTraces(services: Services, run: ReportRun): Promise<ReportRun> {
  if (run.strategies.length === 0) return run;
  const runId = RunId(run.runId);
  const strategies = await Promise.all(
    run.strategies.map(async (s) => {
      const stored = await readStoredTrace(services.table, runId, StrategyId(s.strategyId));
      const parsed = stored === undefined ? undefined : TraceSchema.safeParse(stored.trace);
      if (parsed === undefined || !parsed.success) return s;
      const outcome = parsed.data.outcome;
      const targets =
        'weights' in outcome
          ? Object.entries(outcome.weights)
              .map(([symbol, w]) => `${symbol} ${w}`)
              .join(', ')
          : `failed: ${outcome.error.code}`;
      return { ...s, targets, explain: formatTrace(parsed.data) };
    }),
  );
  return { ...run, strategies };
}
