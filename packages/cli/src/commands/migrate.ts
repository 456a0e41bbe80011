import { StrategyId } from '@books/core';
import type { MigrateResult } from '@books/legacy';
import { migrateBook, mutating, type QueryContext, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput } from '../format';

export interface MigrateArgs {
  readonly strategy: string;
  readonly to: 'per-strategy' | 'legacy';
  readonly dryRun: boolean;
  readonly json: boolean;
  /** Who runs it (recorded on the migration); default the OS user. */
  readonly by?: string;
  /** At most this many lots per transaction (default: the migration's). */
  readonly lotsPerChunk?: number;
}

/**
 * `books migrate`: moves a strategy's holdings between the legacy book and its own book, without
 * trading, in chunks, then sets its flow flag; finishes a migration a crash left open. Exit 0 when
 * done (or nothing to do), 2 when refused or stopped (an open migration is finished by running it again).
 */
export async function runMigrate(ctx: QueryContext, args: MigrateArgs, io: Output): Promise<number> {
  const outcome = await migrateBook(ctx, {
    strategyId: StrategyId(args.strategy),
    to: args.to,
    dryRun: args.dryRun,
    ...(args.by ? { by: args.by } : {}),
    ...(args.lotsPerChunk ? { lotsPerChunk: args.lotsPerChunk } : {}),
    onChunk: (p) =>
      io.err(`books migrate: ${p.id}: chunk ${p.chunksDone}/${p.chunks} done (${p.lots} lots)\n`),
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
            ...(r.migration.lots !== undefined ? { lots: r.migration.lots } : {}),
            lotsPerChunk: r.migration.lotsPerChunk,
            chunks: r.migration.chunks,
            chunksBefore: r.migration.chunksBefore,
            chunksDone: r.migration.chunksDone,
            by: r.migration.by,
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
    const verb =
      r.status === 'dry-run' ? 'would migrate' : m.chunksBefore > 0 ? 'finished migrating' : 'migrated';
    lines.push(
      `${verb} ${r.strategyId} to ${r.to} (${m.id}, ${m.from} → ${m.to}${r.fromRun ? `, shares from legacy run ${r.fromRun}` : ''})`,
    );
    for (const p of m.moved) lines.push(`  transfer  ${p.qty} ${p.symbol}  cost basis ${p.cost}`);
    lines.push(`  transfer  cash ${m.cash.toString()}`);
    if (m.moved.length === 0 && m.cash.isZero()) lines.push('  (no position or cash to move)');
    const lots = m.lots === undefined ? '' : `${m.lots} lot${m.lots === 1 ? '' : 's'} in `;
    // A migration found open (a crash stopped it): how far it had got, and who opened it.
    const before = r.status === 'dry-run' ? m.chunksDone : m.chunksBefore;
    lines.push(
      `  ${lots}${m.chunks} chunk${m.chunks === 1 ? '' : 's'} of at most ${m.lotsPerChunk} lots` +
        (before > 0 ? `; open with ${before} of them done (opened by ${m.by})` : ''),
    );
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
  lotsPerChunk: z.coerce.number().int().positive().optional(),
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
    .option('--dry-run', 'print the transfers (lots, cash, chunks) without writing')
    .option('--lots-per-chunk <n>', 'at most this many lots per transaction')
    .option('--yes', 'a live-money stage: do not ask for confirmation (scripts)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (strategy: string, opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      const args: MigrateArgs = {
        strategy,
        to: o.to,
        dryRun: o.dryRun ?? false,
        json: o.json ?? false,
        ...(o.lotsPerChunk ? { lotsPerChunk: o.lotsPerChunk } : {}),
      };
      process.exitCode = await withStage(o.stage, async (ctx) => {
        // Recorded on the migration: the AWS caller on a deployed stage, the OS user locally.
        const by = { ...args, by: await ctx.callerIdentity() };
        return args.dryRun
          ? runMigrate(ctx, by, processOutput)
          : mutating(ctx, `books migrate ${strategy} --to ${o.to}`, o.yes ?? false, () =>
              runMigrate(ctx, by, processOutput),
            );
      });
    });
}
