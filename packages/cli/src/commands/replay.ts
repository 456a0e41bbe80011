import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger, errorMessage, Money, TradingDate } from '@books/core';
import { booksHome, endpointsOf, flowFlagsFile, startStack, stopStack, workspaceRoot } from '@books/local';
import type { ReplayFlow } from '@books/replay';
import { formatSummary, progressReporter, renderReport, replayReportData, runReplay } from '@books/replay';
import type { Command } from 'commander';
import * as z from 'zod';
import { type Output, sampleBars as writeSampleBars } from './run';

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
 * The configuration file: a path as given (relative to the working directory), else a file of
 * the project's strategies directory; default strategies/config.local.json. Strategy files are
 * read next to it, so a configuration elsewhere needs its .clj files beside it.
 */
export function resolveConfig(given: string | undefined, strategiesDir: string): string {
  if (given === undefined) return join(strategiesDir, 'config.local.json');
  const asGiven = resolve(given);
  if (existsSync(asGiven)) return asGiven;
  const inStrategies = join(strategiesDir, given);
  if (existsSync(inStrategies)) return inStrategies;
  throw new Error(`no configuration file ${given} (looked at ${asGiven} and ${inStrategies})`);
}

/** The sample bars (and their corporate actions), generated on first use; said on stderr. */
export function sampleBars(home: string, io: Output): string {
  return writeSampleBars(home, { out: (t) => io.err(t), err: (t) => io.err(t) });
}

/**
 * `books replay --from D1 --to D2`: the real daily cycle once per trading day of the data, on the
 * persisted embedded stack under the replay's own stage, resumable; ends with the summary.
 * `--flow per-strategy|legacy` runs every strategy on that flow (the stage's flow flags); under
 * legacy the summary gives each strategy's attributed share of the LEGACY book and a LEGACY row.
 * Exit 0 when every day reconciled MATCH, 1 on breaks or errors, 130 when interrupted.
 */
export async function replayCommand(
  args: ReplayCliArgs,
  io: Output & { readonly errIsTTY: boolean },
  signals: { onInterrupt(listener: () => void): () => void },
): Promise<number> {
  const home = args.home ?? booksHome();
  let config: string;
  let data: string;
  try {
    TradingDate(args.from);
    TradingDate(args.to);
    if (args.from > args.to) throw new Error(`--from ${args.from} is after --to ${args.to}`);
    Money.parse(args.cash, '--cash');
    config = resolveConfig(args.config, join(workspaceRoot(), 'strategies'));
    data = args.data !== undefined ? resolve(args.data) : sampleBars(home, io);
    if (!existsSync(data)) throw new Error(`no bars directory ${data}`);
    if (args.report !== undefined && !existsSync(dirname(resolve(args.report))))
      throw new Error(`no directory for the report ${resolve(args.report)}`);
  } catch (e) {
    io.err(`books replay: ${errorMessage(e)}\n`);
    return 2;
  }

  const stateFile = join(home, `replay-${args.stage}.json`);
  mkdirSync(join(home, 'logs'), { recursive: true });
  const logFile = join(home, 'logs', `replay-${args.stage}.log`);
  const logStream = createWriteStream(logFile, { flags: 'a' });
  let interrupted = false;
  const unsubscribe = signals.onInterrupt(() => {
    interrupted = true;
    io.err('\nbooks replay: stopping after the current day (state is saved; run again to continue)\n');
  });
  const progress = progressReporter({ isTTY: io.errIsTTY, write: (t) => io.err(t) });
  const stack = await startStack({ home, stage: args.stage });
  try {
    const result = await runReplay({
      endpoints: endpointsOf(stack),
      stage: args.stage,
      args: {
        from: args.from,
        to: args.to,
        config,
        data,
        initialCash: args.cash,
        ...(args.flow !== undefined ? { flow: args.flow } : {}),
        ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
      },
      stateFile,
      flowFlagsFile: flowFlagsFile(home, args.stage),
      logger: createLogger({ service: 'books-replay' }, { destination: logStream }),
      onProgress: (p) => progress.update(p),
      shouldStop: () => interrupted,
    });
    progress.end();
    const { summary } = result;
    io.out(
      args.json
        ? `${JSON.stringify({ ...summary, complete: result.complete, totalDays: result.totalDays, stateFile }, null, 2)}\n`
        : formatSummary(summary),
    );
    if (!args.json && !result.complete)
      io.out(`incomplete: ${summary.days}/${result.totalDays} days; run the same command to continue\n`);
    if (args.report !== undefined) {
      const file = resolve(args.report);
      writeFileSync(
        file,
        renderReport(await replayReportData(result, { stage: args.stage, now: new Date() })),
      );
      io.err(`report: ${file}\n`);
    }
    io.err(`state: ${stateFile}\nlogs: ${logFile}\n`);
    if (!result.complete) return 130;
    return summary.reconciliation.breakDays > 0 ? 1 : 0;
  } catch (e) {
    progress.end();
    io.err(`books replay: ${errorMessage(e)}\n(see ${logFile})\n`);
    return 1;
  } finally {
    unsubscribe();
    logStream.end();
    if (!stack.reused) await stopStack(stack);
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
