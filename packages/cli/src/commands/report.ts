import { errorMessage } from '@books/core';
import { type QueryContext, withStage } from '@books/operator';
import { writeStageReport } from '@books/replay';
import type { Command } from 'commander';
import * as z from 'zod';
import { type Output, processOutput } from '../format';

export interface ReportArgs {
  readonly out: string;
  readonly from?: string;
  readonly to?: string;
  /** The symbol books are measured against (alpha, beta, R²); default SPY. */
  readonly benchmark?: string;
}

/**
 * `books report --out FILE.html` (`@books/replay`'s writeStageReport): the self-contained HTML report of the stage's current ledger,
 * each day's books rebuilt from their trades and transfers at that day's closes. Days default to
 * the ledger's first day … the last day `books run` ran.
 */
export async function runReport(ctx: QueryContext, args: ReportArgs, io: Output): Promise<number> {
  try {
    const report = await writeStageReport(ctx, {
      out: args.out,
      ...(args.from !== undefined ? { from: args.from } : {}),
      ...(args.to !== undefined ? { to: args.to } : {}),
      ...(args.benchmark !== undefined ? { benchmark: args.benchmark } : {}),
    });
    if ('empty' in report) {
      io.err(`books report: stage ${ctx.stage} has no trade or transfer yet (run \`pnpm start\` first)\n`);
      return 3;
    }
    io.out(`report: ${report.file} (${report.days} days, ${report.trades} trades)\n`);
    return 0;
  } catch (e) {
    io.err(`books report: ${errorMessage(e)}\n`);
    return 2;
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'a self-contained HTML report of the ledger: equity, drawdown, allocation, reconciliation, trades',
    )
    .requiredOption('--out <file.html>', 'where to write the report')
    .option('--from <YYYY-MM-DD>', 'first trading day (default: the ledger’s first)')
    .option('--to <YYYY-MM-DD>', 'last trading day (default: the last day run)')
    .option('--benchmark <symbol>', 'the symbol books are measured against: alpha, beta, R² (default SPY)')
    .option('--stage <stage>', 'the stage to report on', 'local')
    .action(async (opts: unknown) => {
      const o = z
        .object({
          out: z.string().min(1),
          from: z.string().optional(),
          to: z.string().optional(),
          benchmark: z.string().min(1).optional(),
          stage: z.string(),
        })
        .parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runReport(
          ctx,
          {
            out: o.out,
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
            ...(o.benchmark ? { benchmark: o.benchmark } : {}),
          },
          processOutput,
        ),
      );
    });
}
