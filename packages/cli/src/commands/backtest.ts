import { booksHome } from '@books/local';
import { backtestFromFiles, type FilesBacktestEvent, formatSummary, progressReporter } from '@books/replay';
import type { Command } from 'commander';
import * as z from 'zod';
import { formatSampleBars } from '../format';
import type { Output } from './run';

export interface BacktestCliArgs {
  /** Strategy files, each funded equally; or `config`. */
  readonly files: readonly string[];
  readonly config?: string;
  readonly from: string;
  readonly to: string;
  readonly data?: string;
  readonly cash: string;
  readonly json: boolean;
  readonly report?: string;
  /** false (`--no-corporate-actions`): the simulated broker applies none (default: it applies them). */
  readonly corporateActions?: boolean;
  /** Where the logs (and the sample bars) live; default `booksHome()`. */
  readonly home?: string;
}

const Day = (flag: string) => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, `${flag} must be YYYY-MM-DD`);
const OptionsSchema = z.object({
  from: Day('--from'),
  to: Day('--to'),
  config: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  cash: z.string().regex(/^\d+(\.\d+)?$/, '--cash must be a decimal amount'),
  json: z.boolean().optional(),
  report: z.string().min(1).optional(),
  corporateActions: z.boolean().optional(),
});
const FilesSchema = z.array(z.string().min(1));

/**
 * `books backtest [FILE… | --config C] --from D --to D`: `@books/replay`'s backtestFromFiles (the
 * daily cycle of `books replay` over the trading days of the bars, in this process, no stack,
 * nothing kept), then the replay's summary (and `--report`, its HTML report). A progress bar on
 * stderr when stdout is a terminal.
 * Exit 0 when every day reconciled MATCH, 1 on breaks or errors, 2 on usage errors.
 */
export async function backtestCommand(
  args: BacktestCliArgs,
  io: Output & { readonly isTTY: boolean },
): Promise<number> {
  const progress = io.isTTY ? progressReporter({ isTTY: true, write: (t) => io.err(t) }) : undefined;
  const onEvent = (event: FilesBacktestEvent): void => {
    switch (event.kind) {
      case 'sample-bars-generated':
        // The sample bars (and their corporate actions), generated on first use; said on stderr.
        io.err(formatSampleBars(event));
        return;
      case 'progress':
        progress?.update(event.progress);
        return;
      case 'backtested': {
        progress?.end();
        const { summary } = event.result;
        io.out(args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
        return;
      }
      case 'report-written':
        io.err(`report: ${event.file}\n`);
    }
  };
  const outcome = await backtestFromFiles(
    {
      home: args.home ?? booksHome(),
      files: args.files,
      ...(args.config !== undefined ? { config: args.config } : {}),
      from: args.from,
      to: args.to,
      ...(args.data !== undefined ? { data: args.data } : {}),
      cash: args.cash,
      ...(args.report !== undefined ? { report: args.report } : {}),
      ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
    },
    { onEvent, now: () => new Date() },
  );
  if (outcome.kind === 'rejected') {
    io.err(`books backtest: ${outcome.message}\n`);
    return 2;
  }
  if (outcome.kind === 'failed') {
    progress?.end();
    io.err(`books backtest: ${outcome.message}\n(see ${outcome.logFile})\n`);
    return 1;
  }
  return outcome.breakDays > 0 ? 1 : 0;
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('the daily cycle over history in this process (no stack), then the replay summary')
    .argument('[files...]', 'strategy files, funded equally (instead of --config)')
    .requiredOption('--from <YYYY-MM-DD>', 'first day')
    .requiredOption('--to <YYYY-MM-DD>', 'last day')
    .option('--config <file>', 'strategies configuration (strategy files beside it)')
    .option('--data <dir>', 'a directory of CSV bars (default: the sample bars)')
    .option('--cash <amount>', 'the paper account’s initial cash', '100000')
    .option('--json', 'print the summary as JSON')
    .option('--report <file.html>', 'also write the self-contained HTML report')
    .option('--corporate-actions', "the simulated broker applies the data's corporate actions (the default)")
    .option('--no-corporate-actions', 'the simulated broker applies none (the books then see none either)')
    .action(async (files: unknown, opts: unknown) => {
      const parsed = OptionsSchema.safeParse(opts);
      const parsedFiles = FilesSchema.safeParse(files ?? []);
      if (!parsed.success || !parsedFiles.success) {
        const issues = [...(parsed.error?.issues ?? []), ...(parsedFiles.error?.issues ?? [])];
        process.stderr.write(`books backtest: ${issues.map((i) => i.message).join('; ')}\n`);
        process.exitCode = 2;
        return;
      }
      const o = parsed.data;
      process.exitCode = await backtestCommand(
        {
          files: parsedFiles.data,
          from: o.from,
          to: o.to,
          cash: o.cash,
          json: o.json ?? false,
          ...(o.config !== undefined ? { config: o.config } : {}),
          ...(o.data !== undefined ? { data: o.data } : {}),
          ...(o.report !== undefined ? { report: o.report } : {}),
          ...(o.corporateActions !== undefined ? { corporateActions: o.corporateActions } : {}),
        },
        {
          out: (t) => process.stdout.write(t),
          err: (t) => process.stderr.write(t),
          isTTY: process.stdout.isTTY === true,
        },
      );
    });
}
