import { clientOrderIdFor, type Money, type RunId, StrategyId, type Symbol, type Weight } from '@books/core';
import type { PlannedTrade } from '@books/portfolio';
import type { StrategyExecutionRequested } from './messages';
import type { ExecutionQueue } from './port';

export interface RequestContext {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly file: string;
  readonly allocation: Weight;
  readonly strategyCapital: Money;
  /** ISO instant of the plan: identical on every retry, so a re-sent message is identical too. */
  readonly plannedAt: string;
  /**
   * Legacy flow only: per symbol, each strategy's share of the merged trade. The request then
   * carries `flow: legacy`, `strategy_names` and `strategy_weights`.
   */
  readonly attribution?: Readonly<Record<string, Readonly<Record<string, Weight>>>>;
}

export type LegacyAttributionFields = Required<
  Pick<StrategyExecutionRequested, 'strategy_names' | 'strategy_weights'>
>;

/**
 * Legacy flow only: the `strategy_names` / `strategy_weights` a request for a trade of `symbol`
 * carries, from the plan's per-symbol attribution; undefined for a book's own plan (none).
 */
export function legacyAttributionFields(
  attribution: RequestContext['attribution'],
  symbol: Symbol,
): LegacyAttributionFields | undefined {
  if (!attribution) return undefined;
  const shares = attribution[symbol] ?? {};
  return {
    strategy_names: Object.keys(shares)
      .sort()
      .map((s) => StrategyId(s)),
    strategy_weights: { ...shares },
  };
}

/** The execution request of one planned trade; a pure function of the plan. */
export function executionRequestFor(trade: PlannedTrade, ctx: RequestContext): StrategyExecutionRequested {
  const legacy = legacyAttributionFields(ctx.attribution, trade.symbol);
  return {
    type: 'StrategyExecutionRequested',
    version: 1,
    flow: legacy ? 'legacy' : 'per-strategy',
    run_id: ctx.runId,
    strategy_id: ctx.strategyId,
    dsl_file: ctx.file,
    allocation: ctx.allocation,
    trade: {
      symbol: trade.symbol,
      direction: trade.side === 'buy' ? 'BUY' : 'SELL',
      target_qty: trade.qty,
      target_value: trade.targetValue,
    },
    strategy_capital: ctx.strategyCapital,
    correlation_id: `${ctx.runId}/${ctx.strategyId}/${trade.symbol}/${trade.side}${trade.leg}`,
    timestamp: ctx.plannedAt,
    leg: trade.leg,
    client_order_id: clientOrderIdFor({
      runId: ctx.runId,
      strategyId: ctx.strategyId,
      symbol: trade.symbol,
      side: trade.side,
      leg: trade.leg,
    }),
    ...(legacy ?? {}),
  };
}

/**
 * Sends a book's first leg of a plan: its SELLs, or its BUYs at once when it has no SELL (the BUYs
 * of a plan with SELLs are held until those are final, then released). Returns how many were sent.
 */
export async function sendFirstLeg(
  queue: ExecutionQueue,
  plan: { readonly sells: readonly PlannedTrade[]; readonly buys: readonly PlannedTrade[] },
  ctx: RequestContext,
): Promise<number> {
  const trades = plan.sells.length > 0 ? plan.sells : plan.buys;
  await queue.send(trades.map((t) => executionRequestFor(t, ctx)));
  return trades.length;
}
