import { capitalPolicyFromWire, type LambdaContext, type StrategyId, Symbol } from '@books/core';
import { LegacyRepository } from '@books/ledger-client';
import { failureReasonOf, LegacyEventSchema, type LegacyResult } from '@books/run-contract';
import { BrokerMarket, type LambdaFunction, type Services } from '@books/runtime';
import type * as z from 'zod';
import { LedgerLegacy } from './adapters/ledger-legacy';
import type { WorkerSignal } from './aggregate';
import { type LegacyPlanInput, planLegacy } from './plan-legacy';

/**
 * DailyRun's `Legacy` state (after the Map, only when some strategy is legacy or shadow): the
 * aggregator and the legacy planner over the stage's services.
 */
export function legacyFunction(services: Services): LambdaFunction<LegacyResult> {
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
  return async (raw, context: LambdaContext) => {
    const event = LegacyEventSchema.parse(raw);
    const logger = deps.logger.child({ requestId: context.awsRequestId });
    const result = await planLegacy({ ...deps, logger }, inputOf(event));
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
    const strategyId = o.strategyId;
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
        reason: failureReasonOf(o) ?? `worker outcome ${o.outcome}`,
      });
  }
  return {
    runId: event.runId,
    asOf: plan.asOf,
    plannedAt: plan.plannedAt,
    accountEquity: plan.accountEquity,
    policy: capitalPolicyFromWire(plan.capitalPolicy),
    minTradeNotional: plan.minTradeNotional,
    strategies: plan.strategies,
    perStrategyIds: plan.perStrategyIds,
    signals,
    dryRun: plan.dryRun,
    ...(plan.topUpLimit ? { topUpLimit: plan.topUpLimit } : {}),
    ...(plan.cashReserve ? { cashReserve: plan.cashReserve } : {}),
  };
}
