import type { RunId, StrategyId } from '@books/core';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { keys } from '../keys';

/**
 * The run partition's notes beside META, its strategies, plans, releases and intents: a skipped
 * trigger, the reconciliation request marker, and a shadow strategy's comparison report (whose
 * schema belongs to the legacy flow: stored here as JSON text).
 */

/** A trigger that started no run (`RUN#{runId}` / `SKIP#{at}`); a repeat at the same instant writes nothing. */
export function encodeRunSkip(runId: RunId, at: string, reason: string): Item {
  return toItem({ ...keys.runSkip(runId, at), entity: 'RUN_SKIP', reason, at });
}

/** The run's one reconciliation request (`RUN#{runId}` / `RECONCILE_REQUESTED`), owned by `requested_at`. */
export function encodeReconcileRequested(runId: RunId, requestedAt: string): Item {
  return toItem({
    ...keys.reconcileRequested(runId),
    entity: 'RUN_RECONCILE_REQUESTED',
    requested_at: requestedAt,
  });
}

/** A shadow strategy's report for the run (`RUN#{runId}` / `SHADOW#{sid}`), as JSON text. */
export function encodeShadowReport(runId: RunId, strategyId: StrategyId, report: unknown): Item {
  return toItem({
    ...keys.shadow(runId, strategyId),
    entity: 'RUN_SHADOW',
    report_json: JSON.stringify(report),
  });
}

/** The report of a shadow item, parsed from its JSON text (its schema is the caller's). */
export function shadowReportJson(item: Item): unknown {
  const json = item.report_json?.S;
  try {
    if (json !== undefined) return JSON.parse(json);
  } catch {
    // reported below
  }
  throw new CorruptItemError(`shadow report ${item.PK?.S ?? '?'} / ${item.SK?.S ?? '?'} has no report_json`, {
    PK: item.PK?.S,
    SK: item.SK?.S,
  });
}
