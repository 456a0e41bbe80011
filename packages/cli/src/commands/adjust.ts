import { errorMessage, Money, Price, Quantity, StrategyId, Symbol } from '@books/core';
import { mutating, type QueryContext, withStage } from '@books/operator';
import { type AdjustmentRequest, recordAdjustment, restoreBookFromLedger } from '@books/reconciler';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput } from '../format';

export interface AdjustArgs {
  readonly strategy: string;
  readonly reason?: string;
  readonly symbol?: string;
  readonly qty?: string;
  readonly price?: string;
  readonly cash?: string;
  /** Write the stored lots and cash back to what the ledger (trades + transfers) says. */
  readonly restore?: boolean;
  /** Accept an adjustment that leaves the book's cash negative (warned about loudly). */
  readonly allowNegativeCash?: boolean;
  readonly json: boolean;
}

/** Parses the command line into a request; throws with a readable message on bad input. */
export function adjustmentRequest(args: AdjustArgs): AdjustmentRequest {
  if (args.reason === undefined || args.reason.trim().length === 0)
    throw new Error('--reason "..." is required: say what was investigated and why this corrects it');
  const positionFlags = [args.symbol, args.qty, args.price].filter((v) => v !== undefined).length;
  if (positionFlags !== 0 && positionFlags !== 3)
    throw new Error('a position adjustment needs all of --symbol, --qty and --price');
  if (positionFlags === 0 && args.cash === undefined)
    throw new Error('nothing to adjust: give --symbol/--qty/--price and/or --cash');
  return {
    strategyId: StrategyId(args.strategy),
    reason: args.reason,
    ...(args.symbol !== undefined && args.qty !== undefined && args.price !== undefined
      ? {
          position: {
            symbol: Symbol(args.symbol),
            qty: Quantity.parse(args.qty, '--qty'),
            price: Price.parse(args.price, '--price'),
          },
        }
      : {}),
    ...(args.cash !== undefined ? { cash: Money.parse(args.cash, '--cash') } : {}),
    ...(args.allowNegativeCash ? { allowNegativeCash: true } : {}),
  };
}

/** `books adjust`: exit 0 when the correcting entry is recorded, 2 when it is refused. */
export async function runAdjust(ctx: QueryContext, args: AdjustArgs, io: Output): Promise<number> {
  if (args.restore) return runRestore(ctx, args, io);
  let request: AdjustmentRequest;
  try {
    request = adjustmentRequest(args);
  } catch (e) {
    io.err(`books adjust: ${errorMessage(e)}\n`);
    return 2;
  }
  let result: Awaited<ReturnType<typeof recordAdjustment>>;
  try {
    result = await recordAdjustment(ctx.services, request);
  } catch (e) {
    io.err(`books adjust: ${errorMessage(e)}\n`);
    return 2;
  }
  if (result.cashAfter.isNegative())
    io.err(
      `books adjust: WARNING: the cash of ${result.strategyId} is now NEGATIVE (${result.cashAfter}), ` +
        'allowed by --allow-negative-cash: fund the book before its next run\n',
    );
  if (args.json) {
    io.out(json({ stage: ctx.stage, ...result }));
    return 0;
  }
  io.out(
    [
      `adjustment ${result.id} recorded for ${result.strategyId} at ${result.at}`,
      ...(result.trade
        ? [
            `  trade    ${result.trade.side} ${result.trade.qty} ${result.trade.symbol} @ ${result.trade.price}`,
          ]
        : []),
      ...(result.transfer ? [`  cash     ${result.transfer} (transfer, reason adjustment)`] : []),
      `  book cash ${result.cashBefore} → ${result.cashAfter}`,
      `  reason   ${result.reason}`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function runRestore(ctx: QueryContext, args: AdjustArgs, io: Output): Promise<number> {
  let result: Awaited<ReturnType<typeof restoreBookFromLedger>>;
  try {
    if ([args.symbol, args.qty, args.price, args.cash].some((v) => v !== undefined))
      throw new Error('--restore-from-ledger takes no --symbol, --qty, --price or --cash');
    if (args.reason === undefined || args.reason.trim().length === 0)
      throw new Error('--reason "..." is required: say what was investigated and why this corrects it');
    result = await restoreBookFromLedger(ctx.services, StrategyId(args.strategy), args.reason);
  } catch (e) {
    io.err(`books adjust: ${errorMessage(e)}\n`);
    return 2;
  }
  if (args.json) io.out(json({ stage: ctx.stage, ...result }));
  else
    io.out(
      [
        `restore ${result.id} recorded for ${result.strategyId} at ${result.at}`,
        ...result.changes.map((c) => `  ${c}`),
        `  reason   ${result.reason}`,
        '',
      ].join('\n'),
    );
  return 0;
}

const AdjustOptionsSchema = z.object({
  reason: z.string().optional(),
  symbol: z.string().optional(),
  qty: z.string().optional(),
  price: z.string().optional(),
  cash: z.string().optional(),
  restoreFromLedger: z.boolean().optional(),
  allowNegativeCash: z.boolean().optional(),
  json: z.boolean().optional(),
  yes: z.boolean().optional(),
  stage: z.string(),
});

export function registerAdjust(program: Command): void {
  program
    .command('adjust <strategy>')
    .description("an explicit, labelled correcting entry in a strategy's ledger (a reason is required)")
    .option('--symbol <symbol>', 'the symbol of a position adjustment')
    .option('--qty <qty>', 'signed: positive books a buy into the strategy, negative a sell out of its lots')
    .option('--price <price>', 'the price the position adjustment is booked at')
    .option('--cash <amount>', 'signed cash moved into (or out of) the book from the unallocated pool')
    .option(
      '--restore-from-ledger',
      'write the stored lots and cash back to what the ledger (trades, transfers) says',
    )
    .option('--allow-negative-cash', "accept an adjustment that leaves the book's cash negative (warned)")
    .option('--reason <text>', 'why: what was investigated (required)')
    .option('--yes', 'a live-money stage: do not ask for confirmation (scripts)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (strategy: string, opts: unknown) => {
      const o = AdjustOptionsSchema.parse(opts);
      const args: AdjustArgs = {
        strategy,
        json: o.json ?? false,
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        ...(o.symbol !== undefined ? { symbol: o.symbol } : {}),
        ...(o.qty !== undefined ? { qty: o.qty } : {}),
        ...(o.price !== undefined ? { price: o.price } : {}),
        ...(o.cash !== undefined ? { cash: o.cash } : {}),
        ...(o.restoreFromLedger ? { restore: true } : {}),
        ...(o.allowNegativeCash ? { allowNegativeCash: true } : {}),
      };
      process.exitCode = await withStage(o.stage, (ctx) =>
        mutating(ctx, `books adjust ${strategy} (${o.reason ?? 'no reason'})`, o.yes ?? false, () =>
          runAdjust(ctx, args, processOutput),
        ),
      );
    });
}
