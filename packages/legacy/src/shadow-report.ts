import { RunIdSchema, StrategyIdSchema, SymbolSchema, TradingDateSchema } from '@books/core';
import * as z from 'zod';

/** One symbol of a shadow comparison: the legacy-attributed target vs the per-strategy one. */
const ShadowTargetSchema = z.object({
  symbol: SymbolSchema,
  /** The strategy's share of the merged target (contribution × legacy capital ÷ legacy allocation). */
  legacyValue: z.string(),
  legacyQty: z.string(),
  /** Its own plan's target: weight × its capital. */
  perStrategyValue: z.string(),
  perStrategyQty: z.string(),
});

const ShadowTradeSchema = z.object({
  symbol: SymbolSchema,
  side: z.enum(['buy', 'sell']),
  qty: z.string(),
  value: z.string(),
});

/**
 * A shadow strategy's comparison for one run (`RUN#{runId}` / `SHADOW#{sid}`, as JSON): what the
 * merged flow did on its behalf, and what it would have done with its own book (its carve-out of
 * the legacy book as a migration would make it now).
 */
export const ShadowReportSchema = z.object({
  runId: RunIdSchema,
  strategyId: StrategyIdSchema,
  asOf: TradingDateSchema,
  capital: z.string(),
  targets: z.array(ShadowTargetSchema),
  /** The merged flow's trades × the strategy's share of each. */
  legacyTrades: z.array(ShadowTradeSchema),
  /** Its own plan's trades from its carve-out. */
  perStrategyTrades: z.array(ShadowTradeSchema),
  suppressed: z.array(ShadowTradeSchema.extend({ reason: z.string() })),
});

export type ShadowTarget = z.infer<typeof ShadowTargetSchema>;
export type ShadowTrade = z.infer<typeof ShadowTradeSchema>;
export type ShadowReport = z.infer<typeof ShadowReportSchema>;
