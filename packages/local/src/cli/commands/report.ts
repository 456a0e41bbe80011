import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errorMessage, marketDateOf, TradingDate } from '@books/core';
import type { Command } from 'commander';
import * as z from 'zod';
import { type Output, processOutput } from '../../queries/format';
import { type QueryContext } from '../../queries/local-session';
import { collectReport } from '../../report/collect';
import { ledgerDayInputs } from '../../report/ledger-days';
import { renderReport } from '../../report/render';
import { withStage } from '../../stage/open-stage';

export interface ReportArgs {
  readonly out: string;
  readonly from?: string;
  readonly to?: string;
}

/** The first day of the stage's ledger: its earliest trade or transfer. */
async function firstLedgerDay(ctx: QueryContext): Promise<TradingDate | undefined> {
  const instants: string[] = [];
  for (const sid of ctx.strategyIds) {
    const [book, trades] = await Promise.all([
      ctx.services.books.readBook(sid),
      ctx.services.trades.listByStrategy(sid),
    ]);
    instants.push(...(book?.transfers ?? []).map((t) => t.at), ...trades.map((t) => t.filledAt));
  }
  const first = instants.sort()[0];
  return first === undefined ? undefined : marketDateOf(new Date(first));
}

/**
 * `books report --out FILE.html`: the self-contained HTML report of the stage's current ledger,
 * each day's books rebuilt from their trades and transfers at that day's closes. Days default to
 * the ledger's first day … the last day `books run` ran.
 */
export async function runReport(ctx: QueryContext, args: ReportArgs, io: Output): Promise<number> {
  try {
    const file = resolve(args.out);
    if (!existsSync(dirname(file))) throw new Error(`no directory for the report ${file}`);
    const to = args.to !== undefined ? TradingDate(args.to) : (ctx.lastRunDate ?? marketDateOf(ctx.now));
    const from = args.from !== undefined ? TradingDate(args.from) : await firstLedgerDay(ctx);
    if (from === undefined) {
      io.err(`books report: stage ${ctx.stage} has no trade or transfer yet (run \`pnpm start\` first)\n`);
      return 3;
    }
    if (from > to) throw new Error(`--from ${from} is after --to ${to}`);
    const dates = ctx.calendar.filter((d) => d >= from && d <= to);
    if (dates.length === 0) throw new Error(`no trading day lies in ${from} … ${to}`);
    const data = await collectReport(ctx.services, {
      stage: ctx.stage,
      strategyIds: ctx.strategyIds,
      days: await ledgerDayInputs(ctx.services, ctx.strategyIds, dates),
      now: ctx.now,
      title: `Strategy Books ${dates[0]} … ${dates[dates.length - 1]}`,
      subtitle: `stage ${ctx.stage} · ${dates.length} trading days · from the ledger`,
      notes: [
        'books rebuilt from the ledger at each day’s closing prices; the account’s equity from the broker’s cash now and the ledger’s trades',
      ],
    });
    writeFileSync(file, renderReport(data));
    io.out(`report: ${file} (${dates.length} days, ${data.trades.length} trades)\n`);
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
    .option('--stage <stage>', 'the stage to report on', 'local')
    .action(async (opts: unknown) => {
      const o = z
        .object({
          out: z.string().min(1),
          from: z.string().optional(),
          to: z.string().optional(),
          stage: z.string(),
        })
        .parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runReport(
          ctx,
          { out: o.out, ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) },
          processOutput,
        ),
      );
    });
}
