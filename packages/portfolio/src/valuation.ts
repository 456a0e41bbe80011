import { Money, notional, Price, Quantity, type Symbol } from '@books/core';
import type { Book } from './book';
import { MissingPriceError } from './errors';
import { compareText } from './lots';

/** A book's holding of one symbol: the sum of its open lots. */
export interface Position {
  readonly symbol: Symbol;
  readonly qty: Quantity;
  /** Remaining FIFO cost basis, buy fees included. */
  readonly cost: Money;
  /** cost ÷ qty. */
  readonly avgCost: Price;
}

export interface PositionValuation extends Position {
  readonly price: Price;
  readonly marketValue: Money;
  readonly unrealizedPnl: Money;
}

export interface BookValuation {
  readonly positions: readonly PositionValuation[];
  readonly cash: Money;
  readonly marketValue: Money;
  readonly costBasis: Money;
  readonly unrealizedPnl: Money;
  readonly realizedPnl: Money;
  /** Σ lots at mark + cash. */
  readonly equity: Money;
}

/** Positions per symbol, in symbol order. */
export function positionsOf(book: Pick<Book, 'lots'>): readonly Position[] {
  const bySymbol = new Map<Symbol, { qty: Quantity; cost: Money }>();
  for (const lot of book.lots) {
    const acc = bySymbol.get(lot.symbol) ?? { qty: Quantity.ZERO, cost: Money.ZERO };
    bySymbol.set(lot.symbol, { qty: acc.qty.plus(lot.openQty), cost: acc.cost.plus(lot.cost) });
  }
  return [...bySymbol.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([symbol, { qty, cost }]) => ({
      symbol,
      qty,
      cost,
      avgCost: Price.of(cost.value.dividedBy(qty.value)),
    }));
}

/**
 * The broker's marks: each position it holds, its market value ÷ its quantity (a position of no
 * quantity gives none).
 */
export function brokerMarks(
  positions: readonly { readonly symbol: Symbol; readonly qty: Quantity; readonly marketValue: Money }[],
): Map<Symbol, Price> {
  return new Map(
    positions
      .filter((p) => p.qty.isPositive())
      .map((p) => [p.symbol, Price.of(p.marketValue.value.dividedBy(p.qty.value))]),
  );
}

/** Quantities held per symbol (only symbols with open lots). */
export function quantitiesOf(book: Pick<Book, 'lots'>): ReadonlyMap<Symbol, Quantity> {
  return new Map(positionsOf(book).map((p) => [p.symbol, p.qty]));
}

/**
 * Values a book at the given marks. Every held symbol needs a price: a missing one is a
 * MissingPriceError naming all missing symbols, never a silent zero or cost.
 */
export function valueBook(book: Book, prices: ReadonlyMap<Symbol, Price>): BookValuation {
  const positions: PositionValuation[] = [];
  const missing: Symbol[] = [];
  for (const p of positionsOf(book)) {
    const price = prices.get(p.symbol);
    if (price === undefined) {
      missing.push(p.symbol);
      continue;
    }
    const marketValue = notional(p.qty, price);
    positions.push({ ...p, price, marketValue, unrealizedPnl: marketValue.minus(p.cost) });
  }
  if (missing.length > 0) throw new MissingPriceError(missing);
  const marketValue = Money.sum(positions.map((p) => p.marketValue));
  const costBasis = Money.sum(positions.map((p) => p.cost));
  return {
    positions,
    cash: book.cash,
    marketValue,
    costBasis,
    unrealizedPnl: marketValue.minus(costBasis),
    realizedPnl: book.realizedPnl,
    equity: marketValue.plus(book.cash),
  };
}

export function bookEquity(book: Book, prices: ReadonlyMap<Symbol, Price>): Money {
  return valueBook(book, prices).equity;
}
