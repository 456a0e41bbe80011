import { errorMessage, Quantity, TradingDate } from '@books/core';
import type { ReconEntry } from '@books/ledger-client';
import { reconcilerFunction } from '@books/reconciler';
import type { ReconcileSummary } from '@books/reconciliation';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput, table } from '../../queries/format';
import { type QueryContext } from '../../queries/local-session';
import { withStage } from '../../stage/open-stage';

export interface ReconcileArgs {
  readonly date?: string;
  readonly json: boolean;
}

/**
 * `books reconcile`: runs the reconciler against the stage's broker account (stores `RECON#{date}`)
 * and prints every symbol with its status, quantities and holders, then cash. Exit 0 when the
 * books explain the account, 1 on any break, 2 on bad arguments or when the stage has no run and
 * no `--date` says which day to reconcile.
 */
export async function runReconcile(ctx: QueryContext, args: ReconcileArgs, io: Output): Promise<number> {
  let date: TradingDate | undefined;
  try {
    date = args.date === undefined ? undefined : TradingDate(args.date);
  } catch (e) {
    io.err(`books reconcile: ${errorMessage(e)}\n`);
    return 2;
  }
  if (date === undefined && ctx.lastRunDate === undefined) {
    io.err(
      `books reconcile: stage ${ctx.stage} has no run yet (neither the ledger nor the local cursor names one): ` +
        'nothing to reconcile as of a run; give --date YYYY-MM-DD to reconcile a day explicitly\n',
    );
    return 2;
  }
  const summary: ReconcileSummary = await reconcilerFunction(ctx.services)(date ? { date } : {});
  const stored = await ctx.services.recon.latest(TradingDate(summary.date));
  const entries = stored?.entries ?? [];
  const unexplained = new Map(summary.breaks.map((b) => [b.symbol, b.unexplained]));
  if (args.json) {
    io.out(
      json({
        stage: ctx.stage,
        ...summary,
        symbols: entries.map((e) => ({
          symbol: e.symbol,
          status: e.status,
          brokerQty: e.brokerQty,
          booksQty: e.booksQty,
          unexplained: unexplained.get(e.symbol) ?? '0',
          byStrategy: e.byStrategy,
        })),
      }),
    );
    return summary.ok ? 0 : 1;
  }
  const holders = (e: ReconEntry) => {
    if (e.byStrategy.length === 0) return '-';
    const gap = unexplained.get(e.symbol);
    const total = Quantity.sum(e.byStrategy.map((b) => b.qty));
    return e.byStrategy
      .map((b) => {
        // The reconciler's pro-rata split by owned quantity, to its 9 decimals.
        if (gap === undefined || total.isZero()) return `${b.strategyId} ${b.qty}`;
        const share = Quantity.parse(gap).times(b.qty.ratioTo(total)).round(9);
        return `${b.strategyId} ${b.qty} (share ${share})`;
      })
      .join(', ');
  };
  const symbols =
    entries.length === 0
      ? '  (no positions at the broker or in any book)'
      : table(
          [
            { header: 'symbol', value: (e: ReconEntry) => e.symbol },
            { header: 'status', value: (e) => e.status },
            { header: 'broker qty', align: 'right', value: (e) => e.brokerQty.toString() },
            { header: 'books qty', align: 'right', value: (e) => e.booksQty.toString() },
            { header: 'unexplained', align: 'right', value: (e) => unexplained.get(e.symbol) ?? '0' },
            { header: 'held by', value: holders },
          ],
          entries,
        );
  const { cash } = summary;
  io.out(
    [
      `reconciliation ${summary.date} (stage ${ctx.stage}): ${summary.ok ? 'OK' : `${summary.breaks.length} break(s)`}`,
      symbols,
      `cash ${cash.status}: broker ${cash.broker} = books ${cash.books} + unallocated ${cash.unallocated}`,
      ...(summary.retired.length > 0
        ? [
            `retired books (strategy no longer configured, owners until emptied): ${summary.retired.join(', ')}`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return summary.ok ? 0 : 1;
}

const ReconcileOptionsSchema = z.object({
  date: z.string().optional(),
  json: z.boolean().optional(),
  stage: z.string(),
});

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description('compare every book with the broker account; exit 1 on a break')
    .option('--date <date>', 'the trading date to record the result under (default: the last run day)')
    .option('--stage <stage>', 'the stage to reconcile', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = ReconcileOptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runReconcile(ctx, { ...(o.date ? { date: o.date } : {}), json: o.json ?? false }, processOutput),
      );
    });
}
