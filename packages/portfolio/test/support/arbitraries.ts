import { Decimal, Money, Price, Quantity, type Symbol } from '@books/core';
import fc from 'fast-check';
import { applyFill, type Book, emptyBook, type Fill, heldQuantity } from '../../src/book';
import { applyTransfer, type Transfer } from '../../src/transfers';
import { at, sid, sym } from './builders';

export const SYMBOLS: readonly Symbol[] = ['AAA', 'BBB', 'CCC', 'DDD'].map(sym);

/** A decimal with `scale` decimals from an integer count of units. */
const scaled = (units: number, scale: number): Decimal =>
  new Decimal(units).dividedBy(new Decimal(10).pow(scale));

export const quantityArb = fc
  .tuple(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 0, max: 9 }))
  .map(([units, scale]) => Quantity.of(scaled(units, scale).toFixed()));
export const priceArb = fc
  .integer({ min: 1, max: 500_000 })
  .map((cents) => Price.of(scaled(cents, 2).toFixed()));
export const feesArb = fc.oneof(
  fc.constant(Money.ZERO),
  fc.integer({ min: 1, max: 500 }).map((c) => Money.of(scaled(c, 2).toFixed())),
);

/** An abstract step; sells are a fraction of whatever is held when the step is interpreted. */
export type Op =
  | { kind: 'buy'; symbol: Symbol; qty: Quantity; price: Price; fees: Money }
  | { kind: 'sell'; symbol: Symbol; permille: number; price: Price; fees: Money }
  | { kind: 'transfer'; cents: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('buy' as const),
    symbol: fc.constantFrom(...SYMBOLS),
    qty: quantityArb,
    price: priceArb,
    fees: feesArb,
  }),
  fc.record({
    kind: fc.constant('sell' as const),
    symbol: fc.constantFrom(...SYMBOLS),
    permille: fc.integer({ min: 1, max: 1000 }),
    price: priceArb,
    fees: feesArb,
  }),
  fc.record({
    kind: fc.constant('transfer' as const),
    cents: fc.integer({ min: -10_000_000, max: 100_000_000 }),
  }),
);

export interface History {
  readonly book: Book;
  readonly fills: readonly Fill[];
  readonly transfers: readonly Transfer[];
}

/** Interprets steps into valid fills and transfers (one second apart) and applies them. */
export function interpret(ops: readonly Op[], strategy = sid()): History {
  let book = emptyBook(strategy);
  const fills: Fill[] = [];
  const transfers: Transfer[] = [];
  ops.forEach((op, i) => {
    const time = at(i + 1);
    if (op.kind === 'transfer') {
      const wanted = Money.of(scaled(op.cents, 2).toFixed());
      const amount = wanted.isNegative() ? wanted.max(book.cash.negated()) : wanted;
      if (amount.isZero() || (amount.isNegative() && !book.cash.isPositive())) return;
      const t: Transfer = { id: `t${i}`, amount, reason: 'adjustment', at: time };
      book = applyTransfer(book, t);
      transfers.push(t);
      return;
    }
    let f: Fill;
    if (op.kind === 'buy') {
      f = {
        fillId: `f${i}`,
        orderId: `o${i}`,
        symbol: op.symbol,
        side: 'buy',
        qty: op.qty,
        price: op.price,
        fees: op.fees,
        at: time,
      };
    } else {
      const held = heldQuantity(book, op.symbol);
      const q = op.permille === 1000 ? held : held.times(op.permille).dividedBy(1000).truncate(9);
      if (!q.isPositive()) return;
      f = {
        fillId: `f${i}`,
        orderId: `o${i}`,
        symbol: op.symbol,
        side: 'sell',
        qty: q,
        price: op.price,
        fees: op.fees,
        at: time,
      };
    }
    book = applyFill(book, f).book;
    fills.push(f);
  });
  return { book, fills, transfers };
}
