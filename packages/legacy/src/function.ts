import {
  CapitalPolicyWireSchema,
  capitalPolicyFromWire,
  Money,
  RunId,
  StrategyId,
  StrategyIdSchema,
  Symbol,
  TradingDate,
  WeightSchema,
} from '@books/core';
import { LegacyRepository } from '@books/ledger-client';
import { BrokerMarket, type Services } from '@books/runtime';
import { z } from 'zod';
import { LedgerLegacy } from './adapters/ledger-legacy';
import type { WorkerSignal } from './aggregate';
import { type LegacyPlanInput, planLegacy } from './plan-legacy';

/** The coordinator's `legacy` block: everything the merged flow needs, handed out once per run. */
export const MergedFlowPlanSchema = z.object({
  asOf: z.string(),
  accountEquity: z.string(),
  plannedAt: z.string(),
  capitalPolicy: CapitalPolicyWireSchema,
  minTradeNotional: z.string(),
  dryRun: z.boolean().default(false),
  strategies: z.array(
    z.object({ strategyId: StrategyIdSchema, allocation: WeightSchema, flow: z.enum(['legacy', 'shadow']) }),
  ),
  perStrategyIds: z.array(StrategyIdSchema),
});
export type MergedFlowPlan = z.input<typeof MergedFlowPlanSchema>;

const OutcomeSchema = z.looseObject({
  strategyId: z.string(),
  outcome: z.string(),
  reason: z.string().optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  signal: z
    .object({
      weights: z.record(z.string(), WeightSchema),
      rebalanceThreshold: WeightSchema.optional(),
    })
    .optional(),
});

export const LegacyEventSchema = z.object({
  runId: z.string().min(1),
  legacy: MergedFlowPlanSchema,
  outcomes: z.array(OutcomeSchema).default([]),
});

export interface LegacyFunctionResult {
  readonly runId: string;
  readonly outcome: string;
  readonly sent: number;
  readonly resumed: boolean;
  readonly reason?: string;
  readonly strategies: readonly { strategyId: string; status: string; reason?: string }[];
}

/**
 * DailyRun's `Legacy` state (after the Map, only when some strategy is legacy or shadow): the
 * aggregator and the legacy planner over the stage's services.
 */
export function legacyFunction(services: Services): (event: unknown) => Promise<LegacyFunctionResult> {
  const ledger = new LedgerLegacy(
    services.table,
    services.books,
    services.runs,
    new LegacyRepository(services.table),
    services.clock,
  );
  const market = new BrokerMarket(services.broker);
  const deps = {
    ledger,
    broker: {
      async positions() {
        return new Map((await services.broker.getPositions()).map((p) => [p.symbol, p.qty]));
      },
    },
    market: {
      prices: (symbols: readonly Symbol[]) => market.prices(symbols),
      assets: (s: readonly Symbol[]) => market.assets(s),
    },
    queue: services.queue,
    logger: services.logger.child({ function: 'legacy' }),
  };
  return async (raw) => {
    const event = LegacyEventSchema.parse(raw);
    const result = await planLegacy(deps, inputOf(event));
    return {
      runId: event.runId,
      outcome: result.outcome,
      sent: result.sent,
      resumed: result.resumed,
      ...(result.reason ? { reason: result.reason } : {}),
      strategies: (result.signals?.strategies ?? []).map((c) => ({
        strategyId: c.strategyId,
        status: c.status,
        ...(c.reason ? { reason: c.reason } : {}),
      })),
    };
  };
}

function inputOf(event: z.output<typeof LegacyEventSchema>): LegacyPlanInput {
  const plan = event.legacy;
  const signals = new Map<StrategyId, WorkerSignal>();
  for (const o of event.outcomes) {
    const strategyId = StrategyId(o.strategyId);
    if (o.outcome === 'SIGNALLED' && o.signal)
      signals.set(strategyId, {
        strategyId,
        outcome: 'SIGNALLED',
        weights: new Map(Object.entries(o.signal.weights).map(([s, w]) => [Symbol(s), w])),
        ...(o.signal.rebalanceThreshold ? { rebalanceThreshold: o.signal.rebalanceThreshold } : {}),
      });
    else
      signals.set(strategyId, {
        strategyId,
        outcome: 'FAILED',
        reason:
          o.reason ??
          (o.error ? `${o.error.Error ?? 'Error'}: ${o.error.Cause ?? ''}` : `worker outcome ${o.outcome}`),
      });
  }
  return {
    runId: RunId(event.runId),
    asOf: TradingDate(plan.asOf),
    plannedAt: plan.plannedAt,
    accountEquity: Money.parse(plan.accountEquity),
    policy: capitalPolicyFromWire(plan.capitalPolicy),
    minTradeNotional: Money.parse(plan.minTradeNotional),
    strategies: plan.strategies,
    perStrategyIds: plan.perStrategyIds,
    signals,
    dryRun: plan.dryRun,
  };
}
