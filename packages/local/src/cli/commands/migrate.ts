import { errorMessage, marketTimeToInstant, runIdOf, StrategyId } from '@books/core';
import { LegacyRepository } from '@books/ledger-client';
import { type MigrateResult, migrateStrategy } from '@books/legacy';
import { LedgerRunCompletionStore, runCompletion } from '@books/reconciliation';
import { BrokerMarket } from '@books/runtime';
import type { Command } from 'commander';
import * as z from 'zod';
import { configOf } from '../../flows/flow-status';
import { json, type Output, processOutput } from '../../queries/format';
import { type QueryContext } from '../../queries/local-session';
import { mutating } from '../../stage/confirm';
import { withStage } from '../../stage/open-stage';

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
  const sid = StrategyId(args.strategy);
  const entry = configOf(ctx.services).strategies.find((s) => s.id === sid);
  if (!entry) {
    io.err(`books migrate: ${sid} is not a strategy of stage ${ctx.stage}\n`);
    return 2;
  }
  // Between runs only: an order of the last run still in flight would fill into a book whose
  // lots the migration moved.
  if (!args.dryRun && ctx.lastRunDate) {
    const runId = runIdOf(ctx.stage, ctx.lastRunDate);
    const run = await new LedgerRunCompletionStore(ctx.services.table).snapshot(runId);
    const completion = run && runCompletion(run);
    if (completion && !completion.complete) {
      io.err(
        `books migrate: run ${runId} is not complete (${completion.waitingFor}): migrate between runs\n`,
      );
      return 2;
    }
  }
  // After the last run's fills (they are stamped at the close), before the next run.
  const at = (
    ctx.lastRunDate ? marketTimeToInstant(ctx.lastRunDate, '18:00') : ctx.services.clock.now()
  ).toISOString();
  const market = new BrokerMarket(ctx.services.broker);
  let result: MigrateResult;
  try {
    result = await migrateStrategy(
      {
        table: ctx.services.table,
        books: ctx.services.books,
        legacy: new LegacyRepository(ctx.services.table),
        flows: ctx.services.flows,
        assets: (symbols) => market.assets(symbols),
      },
      {
        strategyId: sid,
        to: args.to,
        flag: args.to === 'per-strategy' ? 'per-strategy' : entry.flow === 'shadow' ? 'shadow' : 'legacy',
        dryRun: args.dryRun,
        at,
      },
    );
  } catch (e) {
    io.err(`books migrate: ${errorMessage(e)}\n`);
    return 2;
  }
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
