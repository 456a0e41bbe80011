import { Decimal, Money, Price, Quantity, type Side } from '@books/core';

/** Optional trading costs of the paper broker. */
export interface PaperFees {
  /** Charged per share (e.g. "0.005"). */
  readonly perShare?: string;
  /** Charged on the traded value, in basis points. */
  readonly bps?: string;
}

/**
 * The fill price: the day's price moved against the trader by `slippageBps` (buy higher, sell
 * lower), exact, and never through a limit price.
 */
export function fillPrice(price: Price, side: Side, slippageBps: Decimal, limit: Price | null): Price {
  const factor = new Decimal(1)[side === 'buy' ? 'plus' : 'minus'](slippageBps.dividedBy(10_000));
  const slipped = price.times(factor);
  if (limit === null) return slipped;
  return side === 'buy' ? slipped.min(limit) : slipped.max(limit);
}

/** Whether a limit order would trade at the day's price. */
export function marketable(side: Side, price: Price, limit: Price): boolean {
  return side === 'buy' ? limit.gte(price) : limit.lte(price);
}

/** Fees of a fill, rounded to the cent (half-even); zero without a fee schedule. */
export function feesFor(qty: Quantity, value: Money, fees: PaperFees | undefined): Money {
  if (!fees) return Money.ZERO;
  const perShare = fees.perShare === undefined ? Money.ZERO : Money.of(qty.value.times(fees.perShare));
  const onValue = fees.bps === undefined ? Money.ZERO : value.times(new Decimal(fees.bps).dividedBy(10_000));
  return perShare.plus(onValue).toCents();
}

/** The quantity a notional order buys at a price: truncated to Alpaca's 9 decimals. */
export function qtyForNotional(notional: Money, price: Price): Quantity {
  return Quantity.of(notional.value.dividedBy(price.value)).truncate(Quantity.MAX_DECIMALS);
}
