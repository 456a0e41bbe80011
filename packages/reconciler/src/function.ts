import { TradingDate } from '@books/core';
import type { ReconResult } from '@books/ledger-client';
import {
  type ReconcileAccountPorts,
  type ReconcileSummary,
  reconcileAccount,
  reconciliationPorts,
} from '@books/reconciliation';
import type { Services } from '@books/runtime';
import * as z from 'zod';

/** On demand `{date?}`; after a run `{date, runId, trigger: 'run-complete'}`; the schedule sends `{}`. */
const EventSchema = z
  .object({ date: z.string().optional(), runId: z.string().optional(), trigger: z.string().optional() })
  .loose()
  .optional();

/**
 * The reconciler: one reconciliation of the account with the books (`reconcileAccount`, over the
 * stage's ledger, broker and configuration), answering its summary.
 */
export function reconcilerFunction(services: Services): (event: unknown) => Promise<ReconcileSummary> {
  const reconcileNow = reconcileEvent(reconciliationPorts(services));
  return async (raw) => (await reconcileNow(raw)).summary;
}

/** The reconciler's event, validated, as a reconciliation over `ports`; answers the result as stored too. */
export function reconcileEvent(
  ports: ReconcileAccountPorts,
): (event: unknown) => Promise<{ summary: ReconcileSummary; stored: ReconResult }> {
  return async (raw) => {
    const event = EventSchema.parse(raw);
    return reconcileAccount(ports, {
      ...(event?.date ? { date: TradingDate(event.date) } : {}),
      ...(event?.runId ? { runId: event.runId } : {}),
      ...(event?.trigger ? { trigger: event.trigger } : {}),
    });
  };
}
