import { Money, Quantity, type StrategyId, type Symbol } from '@books/core';
import { compareText } from './lots';

/**
 * The legacy book is what the broker holds that no per-strategy book owns:
 * legacy = broker − Σ books, per symbol and for cash.
 * It is never negative: a negative remainder (books own more than the broker holds) is reported
 * as a shortfall and the symbol gets no legacy position — it is not clamped silently.
 */
export interface LegacyShortfall {
  readonly symbol: Symbol;
  readonly brokerQty: Quantity;
  readonly ownedQty: Quantity;
  /** broker − owned, negative. */
  readonly remainder: Quantity;
}

export interface LegacyBookPositions {
  /** Positive remainders only, in symbol order. */
  readonly positions: ReadonlyMap<Symbol, Quantity>;
  readonly shortfalls: readonly LegacyShortfall[];
}

export function legacyBookPositions(
  broker: ReadonlyMap<Symbol, Quantity>,
  books: ReadonlyMap<StrategyId, ReadonlyMap<Symbol, Quantity>>,
): LegacyBookPositions {
  const owned = new Map<Symbol, Quantity>();
  for (const positions of books.values())
    for (const [symbol, qty] of positions) owned.set(symbol, (owned.get(symbol) ?? Quantity.ZERO).plus(qty));
  const symbols = [...new Set([...broker.keys(), ...owned.keys()])].sort(compareText);
  const positions = new Map<Symbol, Quantity>();
  const shortfalls: LegacyShortfall[] = [];
  for (const symbol of symbols) {
    const brokerQty = broker.get(symbol) ?? Quantity.ZERO;
    const ownedQty = owned.get(symbol) ?? Quantity.ZERO;
    const remainder = brokerQty.minus(ownedQty);
    if (remainder.isPositive()) positions.set(symbol, remainder);
    else if (remainder.isNegative()) shortfalls.push({ symbol, brokerQty, ownedQty, remainder });
  }
  return { positions, shortfalls };
}

export interface LegacyBookCash {
  /** broker cash − Σ book cash − unallocated, or zero when that is negative. */
  readonly cash: Money;
  /** The negative remainder, when there is one. */
  readonly shortfall: Money | null;
}

export function legacyBookCash(
  brokerCash: Money,
  bookCash: Iterable<Money>,
  unallocated: Money,
): LegacyBookCash {
  const remainder = brokerCash.minus(Money.sum(bookCash)).minus(unallocated);
  return remainder.isNegative()
    ? { cash: Money.ZERO, shortfall: remainder }
    : { cash: remainder, shortfall: null };
}
