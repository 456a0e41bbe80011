import {
  errorMessage,
  Money,
  marketTimeToInstant,
  notional,
  type StrategyId,
  TradingDate,
} from '@books/core';
import type { StrategyTrade } from '@books/ledger-client';
import type { Command } from 'commander';
import * as z from 'zod';
import { strategyTrades } from '../../queries/book-queries';
import { cents, json, type Output, processOutput, table } from '../../queries/format';
import { type QueryContext, selectStrategies } from '../../queries/local-session';
import { withStage } from '../../stage/open-stage';

export interface TradesArgs {
  readonly strategy?: string;
  /** First trading date, inclusive (New York). */
  readonly from?: string;
  /** Last trading date, inclusive (New York). */
  readonly to?: string;
  readonly json: boolean;
}

/** The instant range `[from 00:00, day after to 00:00)` New York of inclusive trading dates. */
export function dateRange(from?: string, to?: string): { from?: string; to?: string } {
  const start =
    from !== undefined ? marketTimeToInstant(TradingDate(from), '00:00').toISOString() : undefined;
  let end: string | undefined;
  if (to !== undefined) {
    const next = new Date(`${TradingDate(to)}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    end = marketTimeToInstant(next.toISOString().slice(0, 10), '00:00').toISOString();
  }
  if (start !== undefined && end !== undefined && start >= end)
    throw new Error(`--from ${from} is after --to ${to}`);
  return { ...(start ? { from: start } : {}), ...(end ? { to: end } : {}) };
}

/** `books trades`: each strategy's fills over a date range (GSI1, all pages), in time order. */
export async function runTrades(ctx: QueryContext, args: TradesArgs, io: Output): Promise<number> {
  let trades: StrategyTrade[];
  let sids: StrategyId[];
  try {
    const range = dateRange(args.from, args.to);
    sids = selectStrategies(ctx, args.strategy);
    trades = (await Promise.all(sids.map((sid) => strategyTrades(ctx.services, sid, range)))).flat();
  } catch (e) {
    io.err(`books trades: ${errorMessage(e)}\n`);
    return 2;
  }
  trades.sort((a, b) =>
    a.filledAt < b.filledAt ? -1 : a.filledAt > b.filledAt ? 1 : a.strategyId < b.strategyId ? -1 : 1,
  );
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
