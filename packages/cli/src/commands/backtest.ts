import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger, errorMessage, Money, TradingDate } from '@books/core';
import { booksHome, workspaceRoot } from '@books/local';
import {
  backtestReportData,
  configForFiles,
  formatSummary,
  progressReporter,
  renderReport,
  runBacktest,
} from '@books/replay';
import type { Command } from 'commander';
import * as z from 'zod';
import { resolveConfig, sampleBars } from './replay';
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
});
const FilesSchema = z.array(z.string().min(1));

/**
 * `books backtest [FILE… | --config C] --from D --to D`: the daily cycle of `books replay` over
 * the trading days of the bars, in this process (no stack, nothing kept), then the replay's
 * summary (and `--report`, its HTML report). A progress bar on stderr when stdout is a terminal.
 * Exit 0 when every day reconciled MATCH, 1 on breaks or errors, 2 on usage errors.
 */
export async function backtestCommand(
  args: BacktestCliArgs,
  io: Output & { readonly isTTY: boolean },
): Promise<number> {
  const home = args.home ?? booksHome();
  let config: string;
  let data: string;
  try {
    TradingDate(args.from);
    TradingDate(args.to);
    if (args.from > args.to) throw new Error(`--from ${args.from} is after --to ${args.to}`);
    Money.parse(args.cash, '--cash');
    if (args.files.length > 0 && args.config !== undefined)
      throw new Error('give strategy files or --config, not both');
    if (args.report !== undefined && !existsSync(dirname(resolve(args.report))))
      throw new Error(`no directory for the report ${resolve(args.report)}`);
    data = args.data !== undefined ? resolve(args.data) : sampleBars(home, io);
    if (!existsSync(data)) throw new Error(`no bars directory ${data}`);
    config =
      args.files.length > 0
        ? configForFiles(args.files.map((f) => resolve(f)))
        : resolveConfig(args.config, join(workspaceRoot(), 'strategies'));
  } catch (e) {
    io.err(`books backtest: ${errorMessage(e)}\n`);
    return 2;
  }

  mkdirSync(join(home, 'logs'), { recursive: true });
  const logFile = join(home, 'logs', 'backtest.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const progress = io.isTTY ? progressReporter({ isTTY: true, write: (t) => io.err(t) }) : undefined;
  try {
    const result = await runBacktest({
      args: { from: args.from, to: args.to, config, data, initialCash: args.cash },
      logger: createLogger({ service: 'books-backtest' }, { destination: logStream }),
      ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
    });
    progress?.end();
    const { summary } = result;
    io.out(args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    if (args.report !== undefined) {
      const file = resolve(args.report);
      writeFileSync(file, renderReport(await backtestReportData(result, { now: new Date() })));
      io.err(`report: ${file}\n`);
    }
    return summary.reconciliation.breakDays > 0 ? 1 : 0;
  } catch (e) {
    progress?.end();
    io.err(`books backtest: ${errorMessage(e)}\n(see ${logFile})\n`);
    return 1;
  } finally {
    logStream.end();
  }
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
        },
        {
          out: (t) => process.stdout.write(t),
          err: (t) => process.stderr.write(t),
          isTTY: process.stdout.isTTY === true,
        },
      );
    });
}
