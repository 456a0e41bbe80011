import { errorMessage, RunId, runIdOf } from '@books/core';
import { mutating, type QueryContext, type RecoveredIntent, recoverRun, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput, table } from '../format';

export interface RecoverArgs {
  readonly run?: string;
  readonly json: boolean;
}

/** `books recover`: exit 0 when every stuck intent was resolved or is still working, 1 on an error, 2 on bad arguments. */
export async function runRecover(ctx: QueryContext, args: RecoverArgs, io: Output): Promise<number> {
  let runId: RunId;
  try {
    if (args.run !== undefined) runId = RunId(args.run);
    else if (ctx.lastRunDate) runId = runIdOf(ctx.stage, ctx.lastRunDate);
    else throw new Error('no run day is known for this stage: pass --run RUN_ID');
  } catch (e) {
    io.err(`books recover: ${errorMessage(e)}\n`);
    return 2;
  }
  const report = await recoverRun(ctx.services, runId);
  if (!report) {
    io.err(`books recover: run ${runId} does not exist\n`);
    return 2;
  }
  const failed = report.intents.some((i) => i.action === 'error');
  if (args.json) {
    io.out(json(report));
    return failed ? 1 : 0;
  }
  const body =
    report.intents.length === 0
      ? '  nothing to recover: no intent is SUBMITTED or PARTIALLY_FILLED'
      : table(
          [
            { header: 'client order id', value: (i: RecoveredIntent) => i.clientOrderId },
            { header: 'strategy', value: (i) => i.strategyId },
            { header: 'order', value: (i) => `${i.side} ${i.qty} ${i.symbol}` },
            { header: 'was', value: (i) => i.was },
            { header: 'now', value: (i) => i.now },
            { header: 'action', value: (i) => i.action },
            {
              header: 'filled',
              align: 'right',
              value: (i) => (i.fillPrice ? `${i.filledQty} @ ${i.fillPrice}` : (i.filledQty ?? '')),
            },
            { header: 'detail', value: (i) => i.detail },
          ],
          report.intents,
        );
  const released =
    report.released.length === 0
      ? []
      : [`held BUYs released onto the queue for: ${report.released.join(', ')}`];
  io.out([`recover ${report.runId}`, body, ...released, ''].join('\n'));
  return failed ? 1 : 0;
}

const RecoverOptionsSchema = z.object({
  run: z.string().optional(),
  json: z.boolean().optional(),
  stage: z.string(),
  yes: z.boolean().optional(),
});

export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('record the broker’s true outcome of intents stuck in SUBMITTED or PARTIALLY_FILLED')
    .option('--run <runId>', 'the run to recover (default: the last run day’s run)')
    .option('--yes', 'a live-money stage: do not ask for confirmation (scripts)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = RecoverOptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        mutating(ctx, `books recover${o.run ? ` --run ${o.run}` : ''}`, o.yes ?? false, () =>
          runRecover(ctx, { ...(o.run ? { run: o.run } : {}), json: o.json ?? false }, processOutput),
        ),
      );
    });
}
