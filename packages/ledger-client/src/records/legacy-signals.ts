import {
  deferredSchema,
  InstantSchema,
  RunIdSchema,
  StrategyIdSchema,
  TradingDateSchema,
  WeightSchema,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { keys } from '../keys';

/**
 * What one strategy of the legacy (merged) flow contributed to one run: its DSL weights and its
 * partial signal (weight × allocation per symbol). `HELD` repeats the contribution of an earlier
 * run for a strategy whose worker failed this time, so the merge keeps its holdings instead of
 * selling them; `FAILED` contributes nothing (no earlier signal to hold).
 */
export const LegacyContributionSchema = deferredSchema(() =>
  z.object({
    strategyId: StrategyIdSchema,
    flow: z.enum(['legacy', 'shadow']),
    allocation: WeightSchema,
    status: z.enum(['SIGNALLED', 'HELD', 'FAILED']),
    weights: z.record(z.string(), WeightSchema),
    contributions: z.record(z.string(), WeightSchema),
    rebalanceThreshold: WeightSchema.optional(),
    reason: z.string().optional(),
    heldFromRunId: RunIdSchema.optional(),
  }),
);

/** The merged signal of one legacy run (`LEGACY#SIGNALS` / `RUN#{date}#{runId}`), as JSON text. */
export const LegacySignalsSchema = deferredSchema(() =>
  z.object({
    runId: RunIdSchema,
    tradingDate: TradingDateSchema,
    recordedAt: InstantSchema,
    /** Σ allocations of the strategies of the merged flow (legacy and shadow). */
    legacyAllocation: WeightSchema,
    /** Σ contributions per symbol: the merged portfolio, as weights of the account. */
    merged: z.record(z.string(), WeightSchema),
    strategies: z.array(LegacyContributionSchema.unwrap()),
  }),
);

export type LegacyContribution = z.output<typeof LegacyContributionSchema>;
export type LegacySignals = z.output<typeof LegacySignalsSchema>;

export { LEGACY_SIGNALS_PARTITION } from '../keys';
export const legacySignalsKey = keys.legacySignals;

export function encodeLegacySignals(signals: LegacySignals): Item {
  return toItem({
    ...legacySignalsKey(signals.tradingDate, signals.runId),
    entity: 'LEGACY_SIGNALS',
    signals_json: JSON.stringify(signals),
  });
}

export function decodeLegacySignals(item: Item): LegacySignals {
  const json = item.signals_json?.S;
  const parsed = json === undefined ? undefined : LegacySignalsSchema.safeParse(JSON.parse(json));
  if (!parsed?.success)
    throw new CorruptItemError(
      `legacy signals ${item.SK?.S ?? '?'}: ${parsed ? parsed.error.message : 'no signals_json'}`,
      { sk: item.SK?.S },
    );
  return parsed.data;
}
