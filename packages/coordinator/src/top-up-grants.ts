import { type CapitalPolicy, Money, type RunId, type StrategyId, type Weight } from '@books/core';
import { grantTopUps, planBookCapital } from '@books/portfolio';
import type { BookCapital } from './ports';

/**
 * Each book's top-up grant for the run, from the coordinator's one snapshot: what the capital
 * policy would pay into each book at the snapshot's valuation (the workers' own rule,
 * `planBookCapital`), shared out of the pool by `grantTopUps`. The same snapshot gives the same
 * grants whatever order the workers run in.
 */
export function topUpGrants(input: {
  readonly runId: RunId;
  readonly accountEquity: Money;
  readonly policy: CapitalPolicy;
  readonly at: string;
  readonly pool: Money;
  readonly books: ReadonlyMap<StrategyId, BookCapital>;
  readonly requests: readonly { readonly strategyId: StrategyId; readonly allocation: Weight }[];
}): Map<StrategyId, Money> {
  return grantTopUps(
    input.pool,
    input.requests.map((r) => {
      const book = input.books.get(r.strategyId);
      const decision = planBookCapital({
        runId: input.runId,
        strategyId: r.strategyId,
        allocation: r.allocation,
        accountEquity: input.accountEquity,
        policy: input.policy,
        ...(book ? { book } : {}),
        at: input.at,
      });
      const amount = decision.transfer?.amount ?? Money.ZERO;
      return { strategyId: r.strategyId, wanted: amount.isPositive() ? amount : Money.ZERO };
    }),
  );
}
