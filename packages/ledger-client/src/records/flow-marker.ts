import { InstantSchema, StrategyIdSchema } from '@books/core';
import { z } from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';

/**
 * Where a strategy's holdings are: in its own book (`per-strategy`) or inside the legacy book
 * (`legacy`). Written by a migration in the same transaction as its carve-out or fold-back, so the
 * coordinator can refuse a flow flag that does not match the holdings (a half-done migration).
 */
export const FlowMarkerSchema = z.object({
  strategyId: StrategyIdSchema,
  holdings: z.enum(['per-strategy', 'legacy']),
  migrationId: z.string().min(1),
  at: InstantSchema,
});
export type FlowMarker = z.output<typeof FlowMarkerSchema>;

export function flowPartition(strategyId: string): string {
  return `STRATEGY#${strategyId}#FLOW`;
}

export function flowMarkerKey(strategyId: string) {
  return { PK: flowPartition(strategyId), SK: 'CURRENT' };
}

/** The audit record of one migration: `STRATEGY#{sid}#FLOW` / `MIGRATION#{at}#{id}`. */
export function migrationKey(strategyId: string, at: string, id: string) {
  return { PK: flowPartition(strategyId), SK: `MIGRATION#${at}#${id}` };
}

export function encodeFlowMarker(marker: FlowMarker): Item {
  return toItem({
    ...flowMarkerKey(marker.strategyId),
    entity: 'FLOW_MARKER',
    marker_json: JSON.stringify(marker),
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
