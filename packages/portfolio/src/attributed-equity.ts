import { Decimal, Money, type StrategyId } from '@books/core';

/**
 * The merged flow's books as the replay and the report show them: the LEGACY book is one book, and
 * each of its strategies gets an ATTRIBUTED share of it, not a book of its own.
 *
 * Contract, per merged strategy:
 *   equity         = its attributed market value + legacy cash × its cash share   (cents, half-even)
 *   transfersTotal = legacy transfers × its allocation ÷ Σ merged allocations     (cents, half-even)
 * The shares come from the legacy run (`carveShares`, `attributedPnl` in @books/legacy); with
 * cash shares summing to 1 and every position attributed, Σ equities = the LEGACY equity up to
 * the cents each rounding gives. Merged allocations summing to zero attribute no transfers.
 */
export interface AttributedShare {
  readonly strategyId: StrategyId;
  /** Its attributed share of the legacy positions, at the marks. */
  readonly marketValue: Money;
  /** Its fraction of the legacy cash (0..1). */
  readonly cashShare: Decimal;
  /** Its configured allocation (a weight of the account). */
  readonly allocation: Decimal;
}

export interface AttributedEquity {
  readonly strategyId: StrategyId;
  readonly equity: Money;
  readonly transfersTotal: Money;
}

export function attributedEquities(
  legacy: { readonly cash: Money; readonly transfersTotal: Money },
  shares: readonly AttributedShare[],
): AttributedEquity[] {
  const allocationAll = shares.reduce((sum, s) => sum.plus(s.allocation), new Decimal(0));
  return shares.map((s) => {
    const capital = allocationAll.gt(0) ? s.allocation.dividedBy(allocationAll) : new Decimal(0);
    return {
      strategyId: s.strategyId,
      equity: s.marketValue.plus(legacy.cash.times(s.cashShare).round(2)),
      transfersTotal: legacy.transfersTotal.times(capital).round(2),
    };
  });
}
