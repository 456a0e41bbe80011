import { errorMessage, runIdOf, StrategyId, TradingDate } from '@books/core';
import { formatTrace, type Trace, TraceSchema } from '@books/dsl';
import { type Output, type QueryContext, runTrace, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, processOutput } from '../format';

export interface ExplainArgs {
  readonly strategy: string;
  /** The run's trading date; default the stage's latest run. */
  readonly date?: string;
  readonly json: boolean;
}

/**
 * `books explain S [--date D]`: the decision trace the strategy worker stored with S's plan in the
 * run of D — every if with its condition's values and branch, every filter's ranking, every
 * weighting's weights, with file:line:col. Exit 1 when the run has no trace of S (no plan: a
 * failure, a merged-flow strategy, or no run that day).
 */
export async function runExplain(ctx: QueryContext, args: ExplainArgs, io: Output): Promise<number> {
  let sid: StrategyId;
  let date: TradingDate;
  try {
    sid = StrategyId(args.strategy);
    const day = args.date ?? ctx.lastRunDate;
    if (day === undefined) {
      io.err(`books explain: stage ${ctx.stage} has no run yet: give --date\n`);
      return 2;
    }
    date = TradingDate(day);
  } catch (e) {
    io.err(`books explain: ${errorMessage(e)}\n`);
    return 2;
  }
  const runId = runIdOf(ctx.stage, date);
  let trace: Trace;
  let truncated: boolean;
  try {
    const stored = await runTrace(ctx, runId, sid);
    if (stored === undefined) {
      io.err(`books explain: run ${runId} has no trace of ${sid} (no plan was recorded for it)\n`);
      return 1;
    }
    trace = TraceSchema.parse(stored.trace);
    truncated = stored.truncated;
  } catch (e) {
    io.err(`books explain: ${errorMessage(e)}\n`);
    return 1;
  }
  io.out(
    args.json ? json({ stage: ctx.stage, runId, strategyId: sid, truncated, trace }) : formatTrace(trace),
  );
  return 0;
}

const OptionsSchema = z.object({
  date: z.string().optional(),
  stage: z.string(),
  json: z.boolean().optional(),
});

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description("a strategy's decision trace in a run: each if, filter and weighting, with positions")
    .argument('<strategy>', 'the strategy id')
    .option('--date <date>', 'the run of this trading day YYYY-MM-DD (default: the latest run)')
    .option('--stage <stage>', 'the stage to query', 'local')
    .option('--json', 'print JSON')
    .action(async (strategy: string, opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runExplain(
          ctx,
          { strategy, ...(o.date ? { date: o.date } : {}), json: o.json ?? false },
          processOutput,
        ),
      );
    });
}
