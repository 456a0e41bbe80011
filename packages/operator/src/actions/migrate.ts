import { userInfo } from 'node:os';
import { errorMessage, marketTimeToInstant, runIdOf, type StrategyId } from '@books/core';
import { LegacyRepository, MigrationRepository } from '@books/ledger-client';
import { type MigrateResult, type MigrationProgress, migrateStrategy } from '@books/legacy';
import { LedgerRunCompletionStore, runCompletion } from '@books/reconciliation';
import { BrokerMarket, configOf } from '@books/runtime';
import type { QueryContext } from '../queries/local-session';

export interface MigrateRequest {
  readonly strategyId: StrategyId;
  readonly to: 'per-strategy' | 'legacy';
  readonly dryRun: boolean;
  /** Who runs it (recorded on the migration); default the OS user. */
  readonly by?: string;
  /** At most this many lots per transaction (default: legacy's). */
  readonly lotsPerChunk?: number;
  /** Called after each chunk is committed. */
  readonly onChunk?: (progress: MigrationProgress) => void;
}

/** What `migrateBook` did, or why it refused (nothing written). */
export type MigrateOutcome = { readonly refused: string } | { readonly result: MigrateResult };

/**
 * Moves a strategy's holdings between the legacy book and its own book, without trading, then sets
 * its flow flag (`migrateStrategy`, @books/legacy). Refused for a strategy the stage does not
 * configure, and, unless a dry run, while the last run is not complete: an order of it still in
 * flight would fill into a book whose lots the migration moved.
 */
export async function migrateBook(ctx: QueryContext, request: MigrateRequest): Promise<MigrateOutcome> {
  const sid = request.strategyId;
  const entry = configOf(ctx.services).strategies.find((s) => s.id === sid);
  if (!entry) return { refused: `${sid} is not a strategy of stage ${ctx.stage}` };
  if (!request.dryRun && ctx.lastRunDate) {
    const runId = runIdOf(ctx.stage, ctx.lastRunDate);
    const run = await new LedgerRunCompletionStore(ctx.services.table).snapshot(runId);
    const completion = run && runCompletion(run);
    if (completion && !completion.complete)
      return { refused: `run ${runId} is not complete (${completion.waitingFor}): migrate between runs` };
  }
  // After the last run's fills (they are stamped at the close), before the next run.
  const at = (
    ctx.lastRunDate ? marketTimeToInstant(ctx.lastRunDate, '18:00') : ctx.services.clock.now()
  ).toISOString();
  const market = new BrokerMarket(ctx.services.broker);
  try {
    const result = await migrateStrategy(
      {
        table: ctx.services.table,
        books: ctx.services.books,
        legacy: new LegacyRepository(ctx.services.table),
        migrations: new MigrationRepository(ctx.services.table),
        flows: ctx.services.flows,
        assets: (symbols) => market.assets(symbols),
        clock: ctx.services.clock,
        ...(request.onChunk ? { onChunk: request.onChunk } : {}),
      },
      {
        strategyId: sid,
        to: request.to,
        flag: request.to === 'per-strategy' ? 'per-strategy' : entry.flow === 'shadow' ? 'shadow' : 'legacy',
        dryRun: request.dryRun,
        at,
        by: request.by ?? userInfo().username,
        ...(request.lotsPerChunk ? { lotsPerChunk: request.lotsPerChunk } : {}),
      },
    );
    return { result };
  } catch (e) {
    return { refused: errorMessage(e) };
  }
}
