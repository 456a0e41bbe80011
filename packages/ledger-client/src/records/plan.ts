import type { RunId, StrategyId } from '@books/core';
import {
  ClientOrderIdSchema,
  deferredSchema,
  InstantSchema,
  lazySchema,
  MoneySchema,
  PriceSchema,
  QuantitySchema,
  RunIdSchema,
  SideSchema,
  StrategyIdSchema,
  SymbolSchema,
  TradingDateSchema,
  WeightSchema,
} from '@books/core';
import { SUPPRESSION_REASONS } from '@books/portfolio';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { keys } from '../keys';
import type { LedgerTable } from '../ledger-table';

const TradeSchema = lazySchema(() =>
  z.object({
    symbol: SymbolSchema,
    side: SideSchema,
    qty: QuantitySchema,
    price: PriceSchema,
    estimatedValue: MoneySchema,
    currentValue: MoneySchema,
    targetValue: MoneySchema,
    reason: z.enum(['exit', 'reduce', 'enter', 'increase']),
    leg: z.number().int().min(0),
    clientOrderId: ClientOrderIdSchema,
  }),
);

const SuppressedSchema = lazySchema(() =>
  z.object({
    symbol: SymbolSchema,
    side: SideSchema,
    qty: QuantitySchema,
    value: MoneySchema,
    reason: z.enum(SUPPRESSION_REASONS),
    detail: z.string().optional(),
  }),
);

const TransferSchema = lazySchema(() =>
  z.object({
    id: z.string().min(1),
    amount: MoneySchema,
    reason: z.enum(['funding', 'drift', 'target', 'migration', 'adjustment']),
    at: InstantSchema,
  }),
);

/**
 * A strategy's plan for one run, as recorded on the run (`RUN#{runId}` / `PLAN#{sid}`, JSON with
 * decimals as strings): what the worker decided and everything the BUY release needs later.
 * Built at its first parse (deferredSchema).
 */
export const StoredPlanSchema = deferredSchema(() =>
  z.object({
    runId: RunIdSchema,
    strategyId: StrategyIdSchema,
    file: z.string().min(1),
    allocation: WeightSchema,
    asOf: TradingDateSchema,
    plannedAt: InstantSchema,
    weights: z.record(z.string(), WeightSchema),
    rebalanceThreshold: WeightSchema.optional(),
    minTradeNotional: MoneySchema,
    equity: MoneySchema,
    capital: z.object({
      action: z.enum(['fund', 'retarget', 'hold']),
      equity: MoneySchema,
      targetEquity: MoneySchema,
      share: WeightSchema.nullable(),
      transfer: TransferSchema().nullable(),
      capital: MoneySchema,
      explanation: z.string(),
    }),
    sells: z.array(TradeSchema()),
    buys: z.array(TradeSchema()),
    suppressed: z.array(SuppressedSchema()),
    estimatedCashAfter: MoneySchema,
    /** The legacy book's plan only: per symbol, each strategy's share of the merged trade. */
    attribution: z.record(z.string(), z.record(z.string(), WeightSchema)).optional(),
  }),
);

export type StoredPlan = z.output<typeof StoredPlanSchema>;
export type StoredPlanInput = z.input<typeof StoredPlanSchema>;

export function encodePlanItem(plan: StoredPlan): Item {
  return toItem({
    ...keys.plan(plan.runId, plan.strategyId),
    entity: 'RUN_PLAN',
    plan_json: JSON.stringify(plan),
  });
}

export function decodePlanItem(item: Item): StoredPlan {
  const json = item.plan_json?.S;
  if (json === undefined) throw new Error(`plan item ${item.PK?.S}/${item.SK?.S} has no plan_json`);
  return StoredPlanSchema.parse(JSON.parse(json));
}

export async function readStoredPlan(
  table: LedgerTable,
  runId: RunId,
  strategyId: StrategyId,
): Promise<StoredPlan | undefined> {
  const item = await table.getItem(keys.plan(runId, strategyId));
  return item && decodePlanItem(item);
}
