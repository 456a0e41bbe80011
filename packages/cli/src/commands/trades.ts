import { errorMessage, Money, notional, type StrategyId } from '@books/core';
import type { StrategyTrade } from '@books/ledger-client';
import { type QueryContext, stageTrades, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { cents, json, type Output, processOutput, table } from '../format';

export interface TradesArgs {
  readonly strategy?: string;
  /** First trading date, inclusive (New York). */
  readonly from?: string;
  /** Last trading date, inclusive (New York). */
  readonly to?: string;
  readonly json: boolean;
}

/** `books trades`: each strategy's fills over a date range (GSI1, all pages), in time order. */
export async function runTrades(ctx: QueryContext, args: TradesArgs, io: Output): Promise<number> {
  let trades: StrategyTrade[];
  let sids: StrategyId[];
  try {
    ({ strategies: sids, trades } = await stageTrades(ctx, {
      ...(args.strategy !== undefined ? { strategy: args.strategy } : {}),
      ...(args.from !== undefined ? { from: args.from } : {}),
      ...(args.to !== undefined ? { to: args.to } : {}),
    }));
  } catch (e) {
    io.err(`books trades: ${errorMessage(e)}\n`);
    return 2;
  }
  if (args.json) {
    io.out(
      json({ stage: ctx.stage, from: args.from ?? null, to: args.to ?? null, strategies: sids, trades }),
    );
    return 0;
  }
  if (trades.length === 0) {
    io.out(
      `no trades${args.from || args.to ? ` from ${args.from ?? 'the start'} to ${args.to ?? 'now'}` : ''}\n`,
    );
    return 0;
  }
  const value = (t: StrategyTrade) => notional(t.filledQty, t.fillPrice);
  const bought = Money.sum(trades.filter((t) => t.side === 'buy').map(value));
  const sold = Money.sum(trades.filter((t) => t.side === 'sell').map(value));
  io.out(
    `${table(
      [
        { header: 'filled at', value: (t: StrategyTrade) => t.filledAt },
        { header: 'strategy', value: (t) => t.strategyId },
        { header: 'side', value: (t) => t.side.toUpperCase() },
        { header: 'symbol', value: (t) => t.symbol },
        { header: 'qty', align: 'right', value: (t) => t.filledQty.toString() },
        { header: 'price', align: 'right', value: (t) => t.fillPrice.toString() },
        { header: 'value', align: 'right', value: (t) => cents(value(t)) },
        { header: 'fees', align: 'right', value: (t) => cents(t.fees) },
        { header: 'run', value: (t) => t.runId },
      ],
      trades,
      '',
    )}\n${trades.length} trades  bought ${cents(bought)}  sold ${cents(sold)}  fees ${cents(Money.sum(trades.map((t) => t.fees)))}\n`,
  );
  return 0;
}

export function registerTrades(program: Command): void {
  program
    .command('trades')
    .description("each strategy's trades from its ledger partition, over a date range")
    .option('--strategy <id>', 'one strategy (default: every strategy of the stage configuration)')
    .option('--from <YYYY-MM-DD>', 'first trading day (inclusive)')
    .option('--to <YYYY-MM-DD>', 'last trading day (inclusive)')
    .option('--stage <stage>', 'the stage to query', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = z
        .object({
          strategy: z.string().optional(),
          from: z.string().optional(),
          to: z.string().optional(),
          json: z.boolean().optional(),
          stage: z.string(),
        })
        .parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runTrades(
          ctx,
          {
            ...(o.strategy ? { strategy: o.strategy } : {}),
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
            json: o.json ?? false,
          },
          processOutput,
        ),
      );
    });
}
