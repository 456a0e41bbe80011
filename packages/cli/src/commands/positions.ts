import { errorMessage, Money } from '@books/core';
import {
  type PositionRow,
  type QueryContext,
  selectStrategies,
  strategyPositions,
  withStage,
} from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { cents, json, type Output, processOutput, table } from '../format';

export interface PositionsArgs {
  readonly strategy?: string;
  readonly json: boolean;
}

/** `books positions`: each strategy's open positions (Σ of its FIFO lots), from the ledger alone. */
export async function runPositions(ctx: QueryContext, args: PositionsArgs, io: Output): Promise<number> {
  let sids: ReturnType<typeof selectStrategies>;
  try {
    sids = selectStrategies(ctx, args.strategy);
  } catch (e) {
    io.err(`books positions: ${errorMessage(e)}\n`);
    return 2;
  }
  const result: { strategyId: string; positions: PositionRow[] }[] = [];
  for (const sid of sids)
    result.push({ strategyId: sid, positions: await strategyPositions(ctx.services, sid) });
  if (args.json) {
    io.out(json({ stage: ctx.stage, strategies: result }));
    return 0;
  }
  const blocks = result.map(({ strategyId, positions }) =>
    positions.length === 0
      ? `■ ${strategyId}\n  (no open positions)`
      : `■ ${strategyId}\n${table(
          [
            { header: 'symbol', value: (p: PositionRow) => p.symbol },
            { header: 'qty', align: 'right', value: (p) => p.qty },
            { header: 'avg cost', align: 'right', value: (p) => p.avgCost },
            { header: 'cost basis', align: 'right', value: (p) => cents(Money.parse(p.cost)) },
            { header: 'lots', align: 'right', value: (p) => String(p.lots) },
          ],
          positions,
        )}`,
  );
  io.out(`${blocks.join('\n\n')}\n`);
  return 0;
}

export const QueryOptionsSchema = z.object({
  strategy: z.string().optional(),
  json: z.boolean().optional(),
  stage: z.string(),
});

export function registerPositions(program: Command): void {
  program
    .command('positions')
    .description("each strategy's open positions from its book (FIFO lots)")
    .option('--strategy <id>', 'one strategy (default: every strategy of the stage configuration)')
    .option('--stage <stage>', 'the stage to query', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = QueryOptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runPositions(
          ctx,
          { ...(o.strategy ? { strategy: o.strategy } : {}), json: o.json ?? false },
          processOutput,
        ),
      );
    });
}
