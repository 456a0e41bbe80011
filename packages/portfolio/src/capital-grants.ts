import { Money, type StrategyId } from '@books/core';

/**
 * Scarce top-ups, decided once per run in the coordinator's snapshot (never by which worker ran
 * first). Each book asks for what the capital policy would pay into it (`wanted`, from the
 * coordinator's valuation; 0 when it holds or releases); the pool pays them all when it holds
 * enough, else pro rata by what each wants, in whole cents rounded down, so Σ grants ≤ pool.
 * A book's worker then tops up at most its grant; the pool's conditional write is the last guard.
 *
 * Order within a run: the grants are paid from the pool as the snapshot read it. Cash an
 * over-weight book releases in the same run is credited to the pool by its worker and pays
 * top-ups from the next run on, so no grant ever depends on another worker having run.
 */
export interface TopUpRequest {
  readonly strategyId: StrategyId;
  readonly wanted: Money;
}

export function grantTopUps(pool: Money, requests: readonly TopUpRequest[]): Map<StrategyId, Money> {
  const wanted = requests.map((r) => ({
    ...r,
    wanted: r.wanted.isPositive() ? r.wanted.truncate(2) : Money.ZERO,
  }));
  const total = Money.sum(wanted.map((r) => r.wanted));
  const available = pool.isPositive() ? pool.truncate(2) : Money.ZERO;
  const grants = new Map<StrategyId, Money>();
  for (const r of wanted) {
    const grant = total.lte(available)
      ? r.wanted
      : r.wanted.isZero()
        ? Money.ZERO
        : available.times(r.wanted.ratioTo(total)).truncate(2);
    grants.set(r.strategyId, grant);
  }
  return grants;
}
