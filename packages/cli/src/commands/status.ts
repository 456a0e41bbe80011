import { type Output, type QueryContext, stageStatus, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, processOutput } from '../format';

/** `books status` (`@books/operator`'s stageStatus): the stage, the controls in force (halt, each book's standing), recent changes, the last run. */
export async function runStatus(ctx: QueryContext, args: { json: boolean }, io: Output): Promise<number> {
  const { services } = ctx;
  const { halt, books, changes, lastRun: run } = await stageStatus(ctx);
  if (args.json) {
    io.out(
      json({
        stage: ctx.stage,
        controls: services.controls.source,
        halt: halt ?? null,
        books,
        changes,
        lastRun: run ? { runId: run.runId, status: run.status, strategies: run.strategies } : null,
      }),
    );
    return 0;
  }
  const lines = [
    `stage ${ctx.stage} (controls: ${services.controls.source})`,
    halt ? `account: HALTED by ${halt.by} at ${halt.at}: ${halt.reason}` : 'account: trading',
    ...books.map((b) => `  ${b.strategyId.padEnd(24)} ${b.state}${b.why ? `  ${b.why}` : ''}`),
    changes.length > 0 ? 'recent control changes:' : 'no control change recorded',
    ...changes.map((c) => `  ${c.at}  ${c.action.padEnd(14)} ${c.target.padEnd(20)} ${c.by}: ${c.reason}`),
    run
      ? `last run ${run.runId}: ${run.status} (${run.strategies.map((s) => `${s.strategyId} ${s.status}${s.reason ? ` - ${s.reason}` : ''}`).join('; ')})`
      : 'no run yet',
  ];
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

const OptionsSchema = z.object({ stage: z.string(), json: z.boolean().optional() });

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'the stage: the controls in force (halt, paused, liquidating books), recent changes, the last run',
    )
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runStatus(ctx, { json: o.json ?? false }, processOutput),
      );
    });
}
