import { BoundedMemo, type RunId, type StrategyId } from '@books/core';
import { decodePlanItem, keys, type LedgerTable, type StoredPlan } from '@books/ledger-client';

/** Decoded plans remembered by their stored text, at most this many (the oldest forgotten first). */
const decoded = new BoundedMemo<StoredPlan>(256);

/**
 * A run's stored plan of a strategy (`PLAN#{sid}`), read from the ledger at every call (strongly
 * consistent, as `readStoredPlan`). Its decoding is remembered by the item's stored text: decoding
 * is pure (the same text always decodes to the same plan), and a warm process's batches read the
 * same plans again (a batch reads each once: LedgerPlannedTrades.forBatch). What is remembered is a
 * decoding, never an item: every call reads the table. The plan returned is shared: callers never
 * change it.
 */
export async function readPlan(
  table: LedgerTable,
  runId: RunId,
  strategyId: StrategyId,
): Promise<StoredPlan | undefined> {
  const item = await table.getItem(keys.plan(runId, strategyId));
  if (!item) return undefined;
  const text = item.plan_json?.S;
  // An item without its text is decodePlanItem's to refuse, never remembered.
  return text === undefined ? decodePlanItem(item) : decoded.get(text, () => decodePlanItem(item));
}
