import { booksHome } from '@books/local';
import type { ReplayFlow, StackReplayEvent } from '@books/replay';
import { formatSummary, progressReporter, replayOnEmbeddedStack } from '@books/replay';
import type { Command } from 'commander';
import * as z from 'zod';
import { formatSampleBars } from '../format';
import type { Output } from './run';

export interface ReplayCliArgs {
  readonly from: string;
  readonly to: string;
  readonly config?: string;
  readonly data?: string;
  readonly stage: string;
  readonly cash: string;
  readonly json: boolean;
  /** Write the self-contained HTML report of the replay there. */
  readonly report?: string;
  /** Where the stack, state file and logs live; default `booksHome()`. */
  readonly home?: string;
  /** Every strategy on this flow (written to the stage's flow flags); default: as configured. */
  readonly flow?: ReplayFlow;
  /** false: the simulated broker applies no corporate action (default: it applies them). */
  readonly corporateActions?: boolean;
}

const OptionsSchema = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '--from must be YYYY-MM-DD'),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '--to must be YYYY-MM-DD'),
  config: z.string().optional(),
  data: z.string().optional(),
  stage: z.string().regex(/^[a-z0-9-]{1,28}$/, '--stage: lowercase letters, digits and -'),
  cash: z.string().regex(/^\d+(\.\d+)?$/, '--cash must be a decimal amount'),
  json: z.boolean().optional(),
  report: z.string().min(1).optional(),
  flow: z
    .enum(['per-strategy', 'legacy'], { error: () => '--flow must be per-strategy or legacy' })
    .optional(),
  corporateActions: z.boolean().optional(),
});

/**
 * `books replay --from D1 --to D2`: `@books/replay`'s replayOnEmbeddedStack (the real daily cycle
 * once per trading day of the data, on the persisted embedded stack under the replay's own stage,
 * resumable), reported as it goes; ends with the summary.
 * `--flow per-strategy|legacy` runs every strategy on that flow (the stage's flow flags); under
 * legacy the summary gives each strategy's attributed share of the LEGACY book and a LEGACY row.
 * Exit 0 when every day reconciled MATCH, 1 on breaks or errors, 130 when interrupted.
 */
export async function replayCommand(
  args: ReplayCliArgs,
  io: Output & { readonly errIsTTY: boolean },
  signals: { onInterrupt(listener: () => void): () => void },
): Promise<number> {
  let interrupted = false;
  let unsubscribe: (() => void) | undefined;
  const progress = progressReporter({ isTTY: io.errIsTTY, write: (t) => io.err(t) });
  const onEvent = (event: StackReplayEvent): void => {
    switch (event.kind) {
      case 'sample-bars-generated':
        io.err(formatSampleBars(event));
        return;
      case 'progress':
        progress.update(event.progress);
        return;
      case 'replayed': {
        progress.end();
        const { result, stateFile } = event;
        const { summary } = result;
        io.out(
          args.json
            ? `${JSON.stringify({ ...summary, complete: result.complete, totalDays: result.totalDays, stateFile }, null, 2)}\n`
            : formatSummary(summary),
        );
        if (!args.json && !result.complete)
          io.out(`incomplete: ${summary.days}/${result.totalDays} days; run the same command to continue\n`);
        return;
      }
      case 'report-written':
        io.err(`report: ${event.file}\n`);
    }
  };
  try {
    const outcome = await replayOnEmbeddedStack(
      {
        home: args.home ?? booksHome(),
        from: args.from,
        to: args.to,
        ...(args.config !== undefined ? { config: args.config } : {}),
        ...(args.data !== undefined ? { data: args.data } : {}),
        stage: args.stage,
        cash: args.cash,
        ...(args.report !== undefined ? { report: args.report } : {}),
        ...(args.flow !== undefined ? { flow: args.flow } : {}),
        ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
      },
      {
        onEvent,
        // Ctrl-C is listened to once the arguments are accepted, before the stack starts.
        onStart: () => {
          unsubscribe = signals.onInterrupt(() => {
            interrupted = true;
            io.err(
              '\nbooks replay: stopping after the current day (state is saved; run again to continue)\n',
            );
          });
        },
        shouldStop: () => interrupted,
        now: () => new Date(),
      },
    );
    if (outcome.kind === 'rejected') {
      io.err(`books replay: ${outcome.message}\n`);
      return 2;
    }
    if (outcome.kind === 'failed') {
      progress.end();
      io.err(`books replay: ${outcome.message}\n(see ${outcome.logFile})\n`);
      return 1;
    }
    io.err(`state: ${outcome.stateFile}\nlogs: ${outcome.logFile}\n`);
    if (!outcome.complete) return 130;
    return outcome.breakDays > 0 ? 1 : 0;
  } finally {
    unsubscribe?.();
  }
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay the real daily cycle over history on the embedded stack (resumable), then a summary')
    .requiredOption('--from <YYYY-MM-DD>', 'first day of the replay')
    .requiredOption('--to <YYYY-MM-DD>', 'last day of the replay')
    .option('--config <file>', 'strategies configuration (strategy files beside it)', undefined)
    .option('--data <dir>', 'a directory of CSV bars (default: the sample bars)')
    .option('--stage <stage>', "the replay's own stage (table, queue, paper account, state file)", 'replay')
    .option('--cash <amount>', 'the paper account’s initial cash', '100000')
    .option(
      '--flow <flow>',
      'run every strategy on this flow: per-strategy or legacy (default: as each is configured)',
    )
    .option('--corporate-actions', "the simulated broker applies the data's corporate actions (the default)")
    .option('--no-corporate-actions', 'the simulated broker applies none (the books then see none either)')
    .option('--json', 'print the summary as JSON')
    .option(
      '--report <file.html>',
      'also write a self-contained HTML report (charts, trades, reconciliation)',
    )
    .action(async (opts: unknown) => {
      const parsed = OptionsSchema.safeParse(opts);
      if (!parsed.success) {
        process.stderr.write(`books replay: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
        process.exitCode = 2;
        return;
      }
      const o = parsed.data;
      process.exitCode = await replayCommand(
        {
          from: o.from,
          to: o.to,
          ...(o.config !== undefined ? { config: o.config } : {}),
          ...(o.data !== undefined ? { data: o.data } : {}),
          stage: o.stage,
          cash: o.cash,
          json: o.json ?? false,
          ...(o.report !== undefined ? { report: o.report } : {}),
          ...(o.flow !== undefined ? { flow: o.flow } : {}),
          ...(o.corporateActions !== undefined ? { corporateActions: o.corporateActions } : {}),
        },
        {
          out: (t) => process.stdout.write(t),
          err: (t) => process.stderr.write(t),
          errIsTTY: process.stderr.isTTY === true,
        },
        {
          onInterrupt(listener) {
            process.once('SIGINT', listener);
            return () => process.off('SIGINT', listener);
          },
        },
      );
    });
}
