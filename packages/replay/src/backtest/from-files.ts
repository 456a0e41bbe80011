import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger, errorMessage } from '@books/core';
import { type SampleBarsGenerated, workspaceRoot } from '@books/local';
import { barsDirectory, checkReportDirectory, checkWindow, openLog } from '../history-args';
import type { Progress } from '../replay/progress';
import { resolveConfig } from '../replay/resolve-config';
import { renderReport } from '../report/render';
import { type BacktestResult, runBacktest } from './engine';
import { configForFiles } from './files-config';
import { backtestReportData } from './report';

export interface FilesBacktestArgs {
  /** Where the logs (and the sample bars) live (`booksHome()`). */
  readonly home: string;
  /** Strategy files, each funded equally; or `config`. */
  readonly files: readonly string[];
  /** The configuration (see resolveConfig); default strategies/config.local.json. */
  readonly config?: string;
  readonly from: string;
  readonly to: string;
  /** A directory of CSV bars; default the sample bars under home. */
  readonly data?: string;
  readonly cash: string;
  /** false: the simulated broker applies none of the data's corporate actions (default: it does). */
  readonly corporateActions?: boolean;
  /** Write the self-contained HTML report there. */
  readonly report?: string;
}

/** What the backtest reports as it goes, in order. */
export type FilesBacktestEvent =
  | SampleBarsGenerated
  | { readonly kind: 'progress'; readonly progress: Progress }
  /** The days are run; the report, if asked, is written next. */
  | { readonly kind: 'backtested'; readonly result: BacktestResult }
  | { readonly kind: 'report-written'; readonly file: string };

export type FilesBacktestOutcome =
  /** The arguments were refused before anything ran (a usage error). */
  | { readonly kind: 'rejected'; readonly message: string }
  | { readonly kind: 'done'; readonly breakDays: number }
  | { readonly kind: 'failed'; readonly message: string; readonly logFile: string };

export interface FilesBacktestHooks {
  readonly onEvent: (event: FilesBacktestEvent) => void;
  /** The report's "generated" time. */
  readonly now: () => Date;
}

/**
 * `books backtest`: the arguments checked (strategy files or a configuration, the bars, the
 * report's directory), then runBacktest in this process (no stack, nothing kept) with its log in
 * `logs/backtest.log` under home, then the optional HTML report.
 */
export async function backtestFromFiles(
  args: FilesBacktestArgs,
  hooks: FilesBacktestHooks,
): Promise<FilesBacktestOutcome> {
  const { home } = args;
  let config: string;
  let data: string;
  try {
    checkWindow(args);
    if (args.files.length > 0 && args.config !== undefined)
      throw new Error('give strategy files or --config, not both');
    checkReportDirectory(args.report);
    data = barsDirectory(args.data, home, hooks.onEvent);
    config =
      args.files.length > 0
        ? configForFiles(args.files.map((f) => resolve(f)))
        : resolveConfig(args.config, join(workspaceRoot(), 'strategies'));
  } catch (e) {
    return { kind: 'rejected', message: errorMessage(e) };
  }

  const { logFile, logStream } = openLog(home, 'backtest');
  try {
    const result = await runBacktest({
      args: {
        from: args.from,
        to: args.to,
        config,
        data,
        initialCash: args.cash,
        ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
      },
      logger: createLogger({ service: 'books-backtest' }, { destination: logStream }),
      onProgress: (progress) => hooks.onEvent({ kind: 'progress', progress }),
    });
    hooks.onEvent({ kind: 'backtested', result });
    if (args.report !== undefined) {
      const file = resolve(args.report);
      writeFileSync(file, renderReport(await backtestReportData(result, { now: hooks.now() })));
      hooks.onEvent({ kind: 'report-written', file });
    }
    return { kind: 'done', breakDays: result.summary.reconciliation.breakDays };
  } catch (e) {
    return { kind: 'failed', message: errorMessage(e), logFile };
  } finally {
    logStream.end();
  }
}
