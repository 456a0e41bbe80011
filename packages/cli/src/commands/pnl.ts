import { errorMessage, Money, Price, Symbol } from '@books/core';
import {
  type QueryContext,
  type BookPnlRow as Row,
  type StagePnl,
  type StrategyPnl,
  stagePnl,
  withStage,
} from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { cents, json, type Output, processOutput, table } from '../format';

export interface PnlArgs {
  readonly strategy?: string;
  readonly json: boolean;
  /** `SYM=PRICE,…` marks instead of the broker's latest prices. */
  readonly prices?: string;
}

/** Parses `SPY=470.12,QQQ=401` into marks. */
export function parsePrices(text: string): Map<Symbol, Price> {
  const marks = new Map<Symbol, Price>();
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [sym, price, ...rest] = part.split('=');
    if (sym === undefined || price === undefined || rest.length > 0)
      throw new Error(`--prices expects SYMBOL=PRICE pairs, got "${part}"`);
    const mark = Price.parse(price.trim(), `price of ${sym}`);
    if (!mark.isPositive()) throw new Error(`--prices: the price of ${sym} must be positive, got ${price}`);
    marks.set(Symbol(sym.trim()), mark);
  }
  return marks;
}

/**
 * `books pnl`: per strategy, realized P&L (FIFO, from the book's cash item), unrealized at the
 * broker's latest prices (or --prices), cash, equity, and Σ transfers; each book is rebuilt from
 * its trades and transfers and compared with the stored book (a mismatch exits 1, nothing is fixed).
 */
export async function runPnl(ctx: QueryContext, args: PnlArgs, io: Output): Promise<number> {
  let rows: readonly Row[];
  let merged: StagePnl['merged'];
  try {
    const marks = args.prices !== undefined ? parsePrices(args.prices) : undefined;
    ({ rows, merged } = await stagePnl(ctx, {
      ...(args.strategy !== undefined ? { strategy: args.strategy } : {}),
      ...(marks ? { marks } : {}),
    }));
  } catch (e) {
    io.err(`books pnl: ${errorMessage(e)}\n`);
    return 2;
  }
  const mismatch = rows.some((r) => !r.check.matches);
  const total = (f: (p: StrategyPnl) => Money) => Money.sum(rows.map((r) => f(r.pnl)));
  if (args.json) {
    io.out(
      json({
        stage: ctx.stage,
        strategies: rows.map(({ pnl, check, retired }) => ({
          ...pnl,
          ...(retired ? { retired: true } : {}),
          positions: pnl.positions.map((p) => ({
            ...p,
            marketValue: cents(p.marketValue),
            unrealizedPnl: cents(p.unrealizedPnl),
          })),
          cash: cents(pnl.cash),
          realizedPnl: cents(pnl.realizedPnl),
          unrealizedPnl: cents(pnl.unrealizedPnl),
          marketValue: cents(pnl.marketValue),
          equity: cents(pnl.equity),
          transfersTotal: cents(pnl.transfersTotal),
          transfers: pnl.transfers.map((t) => ({ id: t.id, amount: t.amount, reason: t.reason, at: t.at })),
          ledgerCheck: check,
        })),
        total: {
          equity: cents(total((p) => p.equity)),
          cash: cents(total((p) => p.cash)),
          realizedPnl: cents(total((p) => p.realizedPnl)),
          unrealizedPnl: cents(total((p) => p.unrealizedPnl)),
          transfersTotal: cents(total((p) => p.transfersTotal)),
        },
        ...(merged
          ? {
              attributed: merged.attributed.map((a) => ({
                strategyId: a.strategyId,
                attributed: true,
                positions: a.positions.map((p) => ({
                  symbol: p.symbol,
                  qty: p.qty.toString(),
                  marketValue: cents(p.marketValue),
                  unrealizedPnl: cents(p.unrealizedPnl),
                })),
                marketValue: cents(a.marketValue),
                realizedPnl: cents(a.realizedPnl),
                unrealizedPnl: cents(a.unrealizedPnl),
              })),
            }
          : {}),
      }),
    );
    return mismatch ? 1 : 0;
  }
  const lines = [
    table(
      [
        { header: 'strategy', value: (r: Row) => `${r.pnl.strategyId}${r.retired ? ' (retired)' : ''}` },
        { header: 'transfers', align: 'right', value: (r) => cents(r.pnl.transfersTotal) },
        { header: 'cash', align: 'right', value: (r) => cents(r.pnl.cash) },
        { header: 'positions', align: 'right', value: (r) => cents(r.pnl.marketValue) },
        { header: 'equity', align: 'right', value: (r) => cents(r.pnl.equity) },
        { header: 'realized', align: 'right', value: (r) => cents(r.pnl.realizedPnl) },
        { header: 'unrealized', align: 'right', value: (r) => cents(r.pnl.unrealizedPnl) },
        { header: 'ledger', value: (r) => (r.check.matches ? `ok (${r.check.trades} trades)` : 'MISMATCH') },
      ],
      rows,
      '',
    ),
    `total  transfers ${cents(total((p) => p.transfersTotal))}  equity ${cents(total((p) => p.equity))}  realized ${cents(total((p) => p.realizedPnl))}  unrealized ${cents(total((p) => p.unrealizedPnl))}`,
  ];
  if (merged && merged.attributed.length > 0)
    lines.push(
      '',
      'attributed shares of the LEGACY book (by strategy_weights and the latest legacy run; not books of their own):',
      table(
        [
          { header: 'strategy', value: (a: (typeof merged.attributed)[number]) => a.strategyId },
          { header: 'positions', align: 'right', value: (a) => cents(a.marketValue) },
          { header: 'realized (attr.)', align: 'right', value: (a) => cents(a.realizedPnl) },
          { header: 'unrealized (attr.)', align: 'right', value: (a) => cents(a.unrealizedPnl) },
        ],
        merged.attributed,
        '',
      ),
    );
  for (const r of rows.filter((x) => !x.check.matches)) {
    lines.push(
      '',
      `${r.pnl.strategyId}: the stored book differs from its rebuild from the ledger (stored ≠ rebuilt):`,
    );
    lines.push(...r.check.differences.map((d) => `  ${d}`));
  }
  io.out(`${lines.join('\n')}\n`);
  return mismatch ? 1 : 0;
}

export function registerPnl(program: Command): void {
  program
    .command('pnl')
    .description(
      "each strategy's realized and unrealized P&L, cash, equity and transfers; checks each book against its ledger",
    )
    .option('--strategy <id>', 'one strategy (default: every strategy of the stage configuration)')
    .option('--prices <SYM=PRICE,...>', "marks for unrealized P&L (default: the broker's latest prices)")
    .option('--stage <stage>', 'the stage to query', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = z
        .object({
          strategy: z.string().optional(),
          prices: z.string().optional(),
          json: z.boolean().optional(),
          stage: z.string(),
        })
        .parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runPnl(
          ctx,
          {
            ...(o.strategy ? { strategy: o.strategy } : {}),
            ...(o.prices ? { prices: o.prices } : {}),
            json: o.json ?? false,
          },
          processOutput,
        ),
      );
    });
}
