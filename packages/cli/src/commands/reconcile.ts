import { errorMessage, TradingDate } from '@books/core';
import { type QueryContext, type ReconciledSymbol, reconcileStage, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput, table } from '../format';

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
  const result = await reconcileStage(ctx, date);
  if ('refused' in result) {
    io.err(`books reconcile: ${result.refused}\n`);
    return 2;
  }
  const { summary, symbols: entries } = result;
  if (args.json) {
    io.out(
      json({
        stage: ctx.stage,
        ...summary,
        symbols: entries.map(({ entry: e, unexplained }) => ({
          symbol: e.symbol,
          status: e.status,
          brokerQty: e.brokerQty,
          booksQty: e.booksQty,
          unexplained,
          byStrategy: e.byStrategy,
        })),
      }),
    );
    return summary.ok ? 0 : 1;
  }
  const holders = (s: ReconciledSymbol) =>
    s.holders.length === 0
      ? '-'
      : s.holders
          .map((h) => `${h.strategyId} ${h.qty}${h.share === undefined ? '' : ` (share ${h.share})`}`)
          .join(', ');
  const symbols =
    entries.length === 0
      ? '  (no positions at the broker or in any book)'
      : table(
          [
            { header: 'symbol', value: (s: ReconciledSymbol) => s.entry.symbol },
            { header: 'status', value: (s) => s.entry.status },
            { header: 'broker qty', align: 'right', value: (s) => s.entry.brokerQty.toString() },
            { header: 'books qty', align: 'right', value: (s) => s.entry.booksQty.toString() },
            { header: 'unexplained', align: 'right', value: (s) => s.unexplained },
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
      ...summary.activities.map(
        (a) => `ACTIVITY ${a.type} ${a.id}${a.symbol ? ` ${a.symbol}` : ''}: ${a.reason} (books activities)`,
      ),
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
