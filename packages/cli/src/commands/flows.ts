import { type QueryContext, stageFlows, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput } from '../format';

/** `books flows` (`@books/operator`'s stageFlows): every strategy's flow and where it came from. */
export async function runFlows(ctx: QueryContext, args: { json: boolean }, io: Output): Promise<number> {
  const { halt, strategies: rows } = await stageFlows(ctx);
  if (args.json) {
    io.out(
      json({
        stage: ctx.stage,
        flags: ctx.services.flows.source,
        controls: ctx.services.controls.source,
        halted: halt ?? null,
        strategies: rows,
      }),
    );
    return 0;
  }
  if (halt) io.out(`account HALTED by ${halt.by} at ${halt.at}: ${halt.reason}\n`);
  const table = [
    ['strategy', 'allocation', 'config', 'flag', 'effective', 'from', 'control', 'holdings'],
    ...rows.map((r) => [
      r.strategyId,
      r.allocation,
      r.configFlow,
      r.flag ?? '-',
      r.effective,
      r.source,
      r.control,
      r.openMigration
        ? `split: ${r.openMigration.id} to ${r.openMigration.to} open (${r.openMigration.chunksDone}/${r.openMigration.chunks} chunks)`
        : r.holdings
          ? `${r.holdings === 'legacy' ? 'legacy book' : 'own book'} (${r.migrationId})`
          : 'never migrated',
    ]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  io.out(
    `${table
      .map((row) =>
        row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
  return 0;
}

const OptionsSchema = z.object({ stage: z.string(), json: z.boolean().optional() });

export function registerFlows(program: Command): void {
  program
    .command('flows')
    .description(
      "every strategy's flow (per-strategy, shadow, legacy) and where it came from (config or flag)",
    )
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runFlows(ctx, { json: o.json ?? false }, processOutput),
      );
    });
}
