import { deferredSchema, InstantSchema, StrategyIdSchema } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { keys } from '../keys';

/**
 * Where a strategy's holdings are: in its own book (`per-strategy`) or inside the legacy book
 * (`legacy`). Written by a migration in the same transaction as its carve-out or fold-back, so the
 * coordinator can refuse a flow flag that does not match the holdings (a half-done migration).
 */
export const FlowMarkerSchema = deferredSchema(() =>
  z.object({
    strategyId: StrategyIdSchema,
    holdings: z.enum(['per-strategy', 'legacy']),
    migrationId: z.string().min(1),
    at: InstantSchema,
  }),
);
export type FlowMarker = z.output<typeof FlowMarkerSchema>;

export const flowPartition = keys.flow;
export const flowMarkerKey = keys.flowMarker;
/** The audit record of one migration: `STRATEGY#{sid}#FLOW` / `MIGRATION#{at}#{id}`. */
export const migrationKey = keys.migration;

export function encodeFlowMarker(marker: FlowMarker): Item {
  return toItem({
    ...flowMarkerKey(marker.strategyId),
    entity: 'FLOW_MARKER',
    marker_json: JSON.stringify(marker),
    /** What the next migration's write is conditional on (`migration_id = :previous`). */
    migration_id: marker.migrationId,
  });
}

export function decodeFlowMarker(item: Item): FlowMarker {
  const json = item.marker_json?.S;
  const parsed = json === undefined ? undefined : FlowMarkerSchema.safeParse(JSON.parse(json));
  if (!parsed?.success)
    throw new CorruptItemError(
      `flow marker ${item.PK?.S ?? '?'}: ${parsed ? parsed.error.message : 'no marker_json'}`,
      {
        pk: item.PK?.S,
      },
    );
  return parsed.data;
}
