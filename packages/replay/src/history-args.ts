import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Money, TradingDate } from '@books/core';
import { type SampleBarsGenerated, sampleBars } from '@books/local';

/**
 * The arguments `books replay` and `books backtest` share, checked before anything runs: each
 * throws an Error naming the flag and what is wrong (the caller answers it as a usage error).
 */

/** `--from` and `--to` are trading dates in order, and `--cash` an amount. */
export function checkWindow(args: {
  readonly from: string;
  readonly to: string;
  readonly cash: string;
}): void {
  TradingDate(args.from);
  TradingDate(args.to);
  if (args.from > args.to) throw new Error(`--from ${args.from} is after --to ${args.to}`);
  Money.parse(args.cash, '--cash');
}

/** The `--report` file's directory exists (a long run does not end on a path it cannot write). */
export function checkReportDirectory(report: string | undefined): void {
  if (report !== undefined && !existsSync(dirname(resolve(report))))
    throw new Error(`no directory for the report ${resolve(report)}`);
}

/** The bars directory: `--data` resolved, or the sample bars generated under home on first use. */
export function barsDirectory(
  data: string | undefined,
  home: string,
  onEvent: (event: SampleBarsGenerated) => void,
): string {
  const dir = data !== undefined ? resolve(data) : sampleBars(home, onEvent);
  if (!existsSync(dir)) throw new Error(`no bars directory ${dir}`);
  return dir;
}

/** The run's log file under `home/logs`, opened for appending. */
export function openLog(
  home: string,
  name: string,
): { readonly logFile: string; readonly logStream: WriteStream } {
  mkdirSync(join(home, 'logs'), { recursive: true });
  const logFile = join(home, 'logs', `${name}.log`);
  return { logFile, logStream: createWriteStream(logFile, { flags: 'a' }) };
}
