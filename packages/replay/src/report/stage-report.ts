import { marketDateOf, TradingDate } from '@books/core';
import type { QueryContext } from '@books/operator';
import { collectReport } from './collect';
import { ledgerDayInputs } from './ledger-days';
import type { ReportData } from './model';

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
 * The report of a stage's current ledger, each day's books rebuilt from their trades and transfers
 * at that day's closes. Days default to the ledger's first day … the last day `books run` ran (or
 * today). `empty` when the ledger holds no trade or transfer yet; throws on a bad range.
 */
export async function stageReport(
  ctx: QueryContext,
  range: { readonly from?: string; readonly to?: string; readonly benchmark?: string },
): Promise<{ readonly empty: true } | { readonly data: ReportData; readonly days: number }> {
  const to = range.to !== undefined ? TradingDate(range.to) : (ctx.lastRunDate ?? marketDateOf(ctx.now));
  const from = range.from !== undefined ? TradingDate(range.from) : await firstLedgerDay(ctx);
  if (from === undefined) return { empty: true };
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
    ...(range.benchmark !== undefined ? { benchmark: range.benchmark } : {}),
  });
  return { data, days: dates.length };
}
