import { type RunId, runIdOf, TradingDate } from '@books/core';
import type { QueryContext } from '../queries/local-session';
import type { RunCompleteness } from '../queries/run-completeness';
import { loadRunCompleteness } from '../queries/run-query';

/** Which trading days to list runs of. */
export interface RunDays {
  readonly from?: string;
  readonly to?: string;
  /** How many trading days back to look when no range is given. */
  readonly last: number;
}

/**
 * The trading days to list: `--from/--to` within the calendar (only --to: the last N up to it), else the last N days up to the last
 * day `books run` ran (or up to today). Runs are found by their id `{stage}-{date}`, never by a scan.
 */
export function daysToList(
  ctx: Pick<QueryContext, 'calendar' | 'lastRunDate' | 'now'>,
  args: RunDays,
): TradingDate[] {
  if (args.from !== undefined || args.to !== undefined) {
    const from = args.from !== undefined ? TradingDate(args.from) : undefined;
    const to = args.to !== undefined ? TradingDate(args.to) : undefined;
    const days = ctx.calendar.filter(
      (d) => (from === undefined || d >= from) && (to === undefined || d <= to),
    );
    return from === undefined ? days.slice(-args.last) : days;
  }
  const until = ctx.lastRunDate ?? ctx.now.toISOString().slice(0, 10);
  return ctx.calendar.filter((d) => d <= until).slice(-args.last);
}

/** The completeness of the stage's runs on the days `args` names (days without a run are left out), each filtered to `strategy`. */
export async function stageRuns(
  ctx: QueryContext,
  args: RunDays,
  strategy?: string,
): Promise<RunCompleteness[]> {
  const runs: RunCompleteness[] = [];
  for (const day of daysToList(ctx, args)) {
    const run = await loadRunCompleteness(ctx.services, runIdOf(ctx.stage, day), ctx.now);
    if (run) runs.push(forStrategy(run, strategy));
  }
  return runs;
}

/** One run's completeness, filtered to `strategy`; undefined when there is no such run. */
export async function stageRun(
  ctx: QueryContext,
  runId: RunId,
  strategy?: string,
): Promise<RunCompleteness | undefined> {
  const found = await loadRunCompleteness(ctx.services, runId, ctx.now);
  return found && forStrategy(found, strategy);
}

/** A run's completeness with only `strategy`'s part (all of it when no strategy is named). */
function forStrategy(run: RunCompleteness, strategy?: string): RunCompleteness {
  if (strategy === undefined) return run;
  const strategies = run.strategies.filter((s) => s.strategyId === strategy);
  return {
    ...run,
    strategies,
    missing: strategies.flatMap((s) => s.missing.map((m) => `${s.strategyId}: ${m}`)),
  };
}
