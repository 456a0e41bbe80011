import { ActivityRepository, type StoredActivity } from '@books/ledger-client';
import type { QueryContext } from '../queries/local-session';

/**
 * The broker's non-trade activities ingested on the stage: those the books could not take (the
 * operator's queue, each a named break in reconciliation until resolved), or with `all` every one.
 */
export async function stageActivities(ctx: QueryContext, all: boolean): Promise<StoredActivity[]> {
  const listed = await new ActivityRepository(ctx.services.table, ctx.services.books).list();
  return listed.filter((a) => all || a.outcome === 'pending');
}

/** Closes a pending activity (after `books adjust` repaired the books); false when none is pending under that id. */
export function resolveActivity(ctx: QueryContext, id: string, note: string): Promise<boolean> {
  return new ActivityRepository(ctx.services.table, ctx.services.books).resolve(
    id,
    note,
    ctx.now.toISOString(),
  );
}
