import { StrategyId } from '@books/core';
import type { MigrateResult } from '@books/legacy';
import { migrateBook, mutating, type QueryContext, withStage } from '@books/operator';
import type { Command } from 'commander';
import { z } from 'zod';
import { json, type Output, processOutput } from '../format';

export interface MigrateArgs {
  readonly strategy: string;
  readonly to: 'per-strategy' | 'legacy';
  readonly dryRun: boolean;
  readonly json: boolean;
}

/**
 * `books migrate`: moves a strategy's holdings between the legacy book and its own book, without
 * trading, then sets its flow flag. Exit 0 when done (or nothing to do), 2 when refused.
 */
export async function runMigrate(ctx: QueryContext, args: MigrateArgs, io: Output): Promise<number> {
  const outcome = await migrateBook(ctx, {
    strategyId: StrategyId(args.strategy),
    to: args.to,
    dryRun: args.dryRun,
  });
  if ('refused' in outcome) {
    io.err(`books migrate: ${outcome.refused}\n`);
    return 2;
  }
  const { result } = outcome;
  if (args.json) {
    io.out(json({ stage: ctx.stage, ...describe(result) }));
    return 0;
  }
  io.out(`${text(result)}\n`);
  return 0;
}

function describe(r: MigrateResult) {
  return {
    strategyId: r.strategyId,
    to: r.to,
    status: r.status,
    ...(r.fromRun ? { fromRun: r.fromRun } : {}),
    flag: r.flag,
    ...(r.migration
      ? {
          migration: {
            id: r.migration.id,
            from: r.migration.from,
            to: r.migration.to,
            at: r.migration.at,
            moved: r.migration.moved,
            cash: r.migration.cash.toString(),
          },
        }
      : {}),
  };
}

function text(r: MigrateResult): string {
  const lines: string[] = [];
  if (r.status === 'already')
    lines.push(
      `${r.strategyId}: holdings already in the ${r.to === 'legacy' ? 'legacy book' : 'own book'}; flag set`,
    );
  if (r.migration) {
    const m = r.migration;
    lines.push(
      `${r.status === 'dry-run' ? 'would migrate' : 'migrated'} ${r.strategyId} to ${r.to} (${m.id}, ${m.from} → ${m.to}${r.fromRun ? `, shares from legacy run ${r.fromRun}` : ''})`,
    );
    for (const p of m.moved) lines.push(`  transfer  ${p.qty} ${p.symbol}  cost basis ${p.cost}`);
    lines.push(`  transfer  cash ${m.cash.toString()}`);
    if (m.moved.length === 0 && m.cash.isZero()) lines.push('  (no position or cash to move)');
  }
  lines.push(
    r.flag.set
      ? `flag: ${r.strategyId} = ${r.flag.flow} (${r.flag.source})`
      : `flag: would set ${r.strategyId} = ${r.flag.flow} (${r.flag.source})`,
  );
  return lines.join('\n');
}

const OptionsSchema = z.object({
  to: z.enum(['per-strategy', 'legacy'], { error: () => '--to must be per-strategy or legacy' }),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  stage: z.string(),
  yes: z.boolean().optional(),
});

export function registerMigrate(program: Command): void {
  program
    .command('migrate <strategy>')
    .description(
      'move a strategy between the legacy book and its own book (no trade), then set its flow flag',
    )
    .requiredOption(
      '--to <flow>',
      'per-strategy (carve its share out of the legacy book) or legacy (fold its book back)',
    )
    .option('--dry-run', 'print the transfers without writing')
    .option('--yes', 'a live-money stage: do not ask for confirmation (scripts)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (strategy: string, opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      const args: MigrateArgs = { strategy, to: o.to, dryRun: o.dryRun ?? false, json: o.json ?? false };
      process.exitCode = await withStage(o.stage, (ctx) =>
        args.dryRun
          ? runMigrate(ctx, args, processOutput)
          : mutating(ctx, `books migrate ${strategy} --to ${o.to}`, o.yes ?? false, () =>
              runMigrate(ctx, args, processOutput),
            ),
      );
    });
}
