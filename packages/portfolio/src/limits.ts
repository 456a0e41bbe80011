import { Money, Weight, weightOf } from '@books/core';
import { compareText } from './lots';
import type { PlannedTrade, RebalancePlan, SuppressedTrade } from './rebalance';

/**
 * Trading limits applied to a book's plan (the strategy worker applies them after planRebalance).
 *
 * Contract, daily notional cap (`capPlanNotional`): a book trades at most `cap` of notional a day,
 * where a trade's notional is its estimated value (qty × planning price). One run per stage and
 * trading date (the run lock), so the day's notional is the run's plan. Trades are kept in this
 * order, each while it fits in what the cap leaves (first fit: a trade that does not fit is
 * suppressed `over-notional-cap` and the next, smaller, one may still fit):
 *   1. SELLs before BUYs (a SELL reduces risk and funds the BUYs);
 *   2. within a side, larger estimated value first; equal values by symbol.
 * A BUY is also kept only while the BUYs kept cost no more than the plan's BUYs less the value of
 * the SELLs suppressed: the proceeds a suppressed SELL would have paid are not spent, so the plan's
 * cash after its trades never falls below the planned one (its cash reserve is kept).
 * The kept trades stay in symbol order; the plan's cash after is re-estimated.
 *
 * Contract, drawdown stop (`checkDrawdown`): the high-water mark is the highest equity the book
 * was valued at in a run (before that run's capital transfer), moved by the transfers it got since
 * (a transfer is not a gain or a loss). The stop is breached when equity ≤ mark × (1 − maxDrawdown).
 */
export function capPlanNotional(plan: RebalancePlan, cap: Money): RebalancePlan {
  const bySize = (a: PlannedTrade, b: PlannedTrade) =>
    b.estimatedValue.compare(a.estimatedValue) || compareText(a.symbol, b.symbol);
  let left = cap;
  const suppressed: SuppressedTrade[] = [];
  const keep = new Set<PlannedTrade>();
  const over = (t: PlannedTrade, why: string): SuppressedTrade => ({
    symbol: t.symbol,
    side: t.side,
    qty: t.qty,
    value: t.estimatedValue,
    reason: 'over-notional-cap',
    detail: why,
  });
  let sellsLost = Money.ZERO;
  for (const t of [...plan.sells].sort(bySize)) {
    if (t.estimatedValue.lte(left)) {
      keep.add(t);
      left = left.minus(t.estimatedValue);
    } else {
      suppressed.push(over(t, `daily notional cap ${cap} (${left} left)`));
      sellsLost = sellsLost.plus(t.estimatedValue);
    }
  }
  let budget = Money.sum(plan.buys.map((t) => t.estimatedValue)).minus(sellsLost);
  for (const t of [...plan.buys].sort(bySize)) {
    if (t.estimatedValue.lte(left) && t.estimatedValue.lte(budget)) {
      keep.add(t);
      left = left.minus(t.estimatedValue);
      budget = budget.minus(t.estimatedValue);
    } else
      suppressed.push(
        over(
          t,
          t.estimatedValue.lte(left)
            ? `the proceeds of a SELL suppressed by the daily notional cap ${cap} do not fund it`
            : `daily notional cap ${cap} (${left} left)`,
        ),
      );
  }
  if (suppressed.length === 0) return plan;
  const keptBuys = plan.buys.filter((t) => keep.has(t));
  const unspent = Money.sum(plan.buys.filter((t) => !keep.has(t)).map((t) => t.estimatedValue));
  return {
    sells: plan.sells.filter((t) => keep.has(t)),
    buys: keptBuys,
    suppressed: [...plan.suppressed, ...suppressed],
    estimatedCashAfter: plan.estimatedCashAfter.plus(unspent).minus(sellsLost),
  };
}

export interface DrawdownCheck {
  /** The high-water mark after this valuation (never lower than the one before). */
  readonly highWaterMark: Money;
  /** (mark − equity) ÷ mark; zero when the mark is not positive. */
  readonly drawdown: Weight;
  readonly breached: boolean;
}

export function checkDrawdown(input: {
  readonly equity: Money;
  readonly highWaterMark?: Money;
  readonly maxDrawdown: Weight;
}): DrawdownCheck {
  const mark = input.highWaterMark ? input.highWaterMark.max(input.equity) : input.equity;
  const drawdown = mark.isPositive() ? weightOf(mark.minus(input.equity), mark) : Weight.ZERO;
  return { highWaterMark: mark, drawdown, breached: mark.isPositive() && drawdown.gte(input.maxDrawdown) };
}
