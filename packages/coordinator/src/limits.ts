import {
  type AccountLimits,
  Money,
  type StrategyConfig,
  type StrategyId,
  type Symbol,
  Weight,
  weightOf,
} from '@books/core';

/**
 * The run's share of the trading limits (config `limits`), decided once per run by the coordinator.
 *
 * Daily notional caps: a book's cap for the run is its own `dailyNotionalCap`, and, when the
 * account has an `accountDailyNotionalCap`, at most its share of it: account cap × the book's
 * allocation ÷ the sum of the allocations of the books dispatched to trade (not paused, not
 * liquidating). The account's books trade in parallel, so each is given its part up front: their
 * sum never passes the account cap, whatever the order in which their trades execute. The worker
 * applies its cap to its plan (portfolio `capPlanNotional`: SELLs first, then by size). A
 * liquidation is not capped: it only reduces risk. The merged (legacy) flow is not capped.
 */
export function notionalCaps(
  limits: AccountLimits | undefined,
  books: readonly StrategyConfig[],
): Map<StrategyId, Money> {
  const caps = new Map<StrategyId, Money>();
  const accountCap = limits?.accountDailyNotionalCap;
  const total = Weight.sum(books.map((b) => b.allocation));
  for (const b of books) {
    const own = b.limits?.dailyNotionalCap;
    const share =
      accountCap && total.isPositive()
        ? accountCap.times(b.allocation.value).dividedBy(total.value).truncate(2)
        : undefined;
    const cap = own && share ? own.min(share) : (own ?? share);
    if (cap) caps.set(b.id, cap);
  }
  return caps;
}

/**
 * A warning for each symbol whose value in the account (every book's lots, and EXTERNAL: the
 * broker's position) passes `share` of the account's equity, largest first.
 */
export function concentrationWarnings(
  positions: readonly { readonly symbol: Symbol; readonly marketValue: Money }[],
  equity: Money,
  share: Weight,
): string[] {
  if (!equity.isPositive()) return [];
  return positions
    .map((p) => ({ symbol: p.symbol, weight: weightOf(p.marketValue.abs(), equity) }))
    .filter((p) => p.weight.gt(share))
    .sort((a, b) => b.weight.compare(a.weight) || (a.symbol < b.symbol ? -1 : 1))
    .map(
      (p) =>
        `concentration: ${p.symbol} is ${p.weight.value.times(100).toDecimalPlaces(1).toFixed()}% of the account's equity (limit ${share.value.times(100).toFixed()}%)`,
    );
}
