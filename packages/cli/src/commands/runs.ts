import { errorMessage, RunId } from '@books/core';
import type { RunCompleteness, StrategyCompleteness, TradeCompleteness } from '@books/operator';
import { type QueryContext, stageRun, stageRuns, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput, table } from '../format';

export interface RunsArgs {
  readonly runId?: string;
  readonly from?: string;
  readonly to?: string;
  /** How many trading days back to look when no range is given. */
  readonly last: number;
  readonly strategy?: string;
  readonly json: boolean;
}

/** `books runs [RUN_ID]`: run completeness — every strategy and every planned trade, final or not, and STUCK runs. */
export async function runRuns(ctx: QueryContext, args: RunsArgs, io: Output): Promise<number> {
  try {
    if (args.runId !== undefined) return await showRun(ctx, RunId(args.runId), args, io);
    const runs = await stageRuns(ctx, args, args.strategy);
    if (args.json) {
      io.out(json({ stage: ctx.stage, runs }));
      return 0;
    }
    if (runs.length === 0) {
      io.out(`no runs of stage ${ctx.stage} on the days looked at (use --from/--to)\n`);
      return 0;
    }
    io.out(
      `${table(
        [
          { header: 'date', value: (r: RunCompleteness) => r.tradingDate },
          { header: 'run', value: (r) => r.runId },
          { header: 'run status', value: (r) => r.runStatus },
          { header: 'completeness', value: (r) => r.status },
          {
            header: 'strategies',
            value: (r) => r.strategies.map((s) => `${s.strategyId} ${s.status}`).join(', '),
          },
          { header: 'missing', align: 'right', value: (r) => String(r.missing.length) },
        ],
        runs,
        '',
      )}\n`,
    );
    return 0;
  } catch (e) {
    io.err(`books runs: ${errorMessage(e)}\n`);
    return 2;
  }
}

async function showRun(ctx: QueryContext, runId: RunId, args: RunsArgs, io: Output): Promise<number> {
  const run = await stageRun(ctx, runId, args.strategy);
  if (!run) {
    io.err(`books runs: no run ${runId}\n`);
    return 3;
  }
  io.out(args.json ? json(run) : formatRun(run));
  return run.status === 'STUCK' ? 1 : 0;
}

export function formatRun(run: RunCompleteness): string {
  const lines = [
    `run ${run.runId}  ${run.tradingDate}  status ${run.runStatus}  →  ${run.status}  (close ${run.closeAt})`,
  ];
  for (const s of run.strategies) lines.push('', ...formatStrategy(s));
  if (run.missing.length > 0) {
    lines.push('', run.status === 'STUCK' ? 'STUCK — not final after the close:' : 'not final yet:');
    lines.push(...run.missing.map((m) => `  - ${m}`));
  }
  return `${lines.join('\n')}\n`;
}

function formatStrategy(s: StrategyCompleteness): string[] {
  const stored = s.storedStatus !== s.status ? `  (stored ${s.storedStatus})` : '';
  const head = `■ ${s.strategyId}  ${s.status}${stored}${s.reason ? `  — ${s.reason}` : ''}`;
  if (s.trades.length === 0) return [head];
  return [
    head,
    table(
      [
        { header: 'side', value: (t: TradeCompleteness) => t.side.toUpperCase() },
        { header: 'symbol', value: (t) => t.symbol },
        { header: 'qty', align: 'right', value: (t) => t.qty },
        { header: 'state', value: (t) => t.state },
        { header: 'reason', value: (t) => t.reason ?? '' },
      ],
      s.trades,
    ),
  ];
}

export function registerRuns(program: Command): void {
  program
    .command('runs [runId]')
    .description('run completeness: recent runs, or one run in detail (STUCK when not complete by the close)')
    .option('--from <YYYY-MM-DD>', 'first trading day to list')
    .option('--to <YYYY-MM-DD>', 'last trading day to list')
    .option('--last <n>', 'how many trading days to list', '10')
    .option('--strategy <id>', 'only this strategy')
    .option('--stage <stage>', 'the stage to query', 'local')
    .option('--json', 'print JSON')
    .action(async (runId: unknown, opts: unknown) => {
      const id = z.string().optional().parse(runId);
      const o = z
        .object({
          from: z.string().optional(),
          to: z.string().optional(),
          last: z.coerce.number().int().min(1).max(500),
          strategy: z.string().optional(),
          json: z.boolean().optional(),
          stage: z.string(),
        })
        .parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runRuns(
          ctx,
          {
            ...(id ? { runId: id } : {}),
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
            last: o.last,
            ...(o.strategy ? { strategy: o.strategy } : {}),
            json: o.json ?? false,
          },
          processOutput,
        ),
      );
    });
}
