import type { RunId, StrategyId } from '@books/core';
import { decodePlanItem, keys, type LedgerTable, type StoredPlan } from '@books/ledger-client';

/** Decoded plans remembered by their stored text, at most this many (then forgotten all at once). */
const DECODED_PLANS = 256;
const decoded = new Map<string, StoredPlan>();

/**
 * A run's stored plan of a strategy (`PLAN#{sid}`), read from the ledger at every call (strongly
 * consistent, as `readStoredPlan`). Its decoding is remembered by the item's stored text: decoding
 * is pure (the same text always decodes to the same plan), and one request decodes the same plan
 * for its claim and for the BUY release. What is remembered is a decoding, never an item: every
 * call reads the table. The plan returned is shared: callers never change it.
 */
export async function readPlan(
  table: LedgerTable,
  runId: RunId,
  strategyId: StrategyId,
): Promise<StoredPlan | undefined> {
  const item = await table.getItem(keys.plan(runId, strategyId));
  if (!item) return undefined;
  const text = item.plan_json?.S;
  const known = text === undefined ? undefined : decoded.get(text);
  if (known) return known;
  const plan = decodePlanItem(item);
  if (text !== undefined) {
    if (decoded.size >= DECODED_PLANS) decoded.clear();
    decoded.set(text, plan);
  }
  return plan;
}
