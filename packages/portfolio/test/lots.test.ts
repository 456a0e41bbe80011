import { Money, notional, Quantity } from '@books/core';
import fc from 'fast-check';
import { applyFill, emptyBook, type Fill } from '../src/book';
import { closeFifo, costPerShare, type Lot, lotId, openQuantity } from '../src/lots';
import { interpret, opArb, SYMBOLS } from './support/arbitraries';
import { at, px, qty, sid, str, sym, usd } from './support/builders';

const lot = (orderId: string, openQty: string, cost: string, n: number): Lot => ({
  symbol: sym('SPY'),
  openedAt: at(n),
  orderId,
  openQty: qty(openQty),
  openPrice: px('1'),
  cost: usd(cost),
});

describe('closeFifo', () => {
  it('closes whole lots before touching the next one', () => {
    const result = closeFifo([lot('a', '2', '20', 1), lot('b', '3', '33', 2)], qty('2'));
    expect(result.changes.map((c) => [c.kind, c.key.orderId])).toEqual([['closed', 'a']]);
    expect(result.remaining.map((l) => l.orderId)).toEqual(['b']);
    expect(str(result.closedCost)).toBe('20');
  });

  it('gives the remaining cost per share of a lot, buy fees included', () => {
    expect(str(costPerShare(lot('a', '4', '401', 1)))).toBe('100.25');
  });

  it('names each lot by symbol, openedAt and order id, in an order that sorts oldest first', () => {
    expect(lotId(lot('a', '1', '1', 1))).toBe(`SPY#${at(1)}#a`);
    expect(lotId(lot('a', '1', '1', 1)) < lotId(lot('a', '1', '1', 2))).toBe(true);
  });

  it('keeps Σ closed qty + open qty = Σ bought qty and Σ closed cost + open cost = Σ bought cost (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { fills } = interpret(ops);
        for (const symbol of SYMBOLS) {
          const bought = fills.filter((f: Fill) => f.symbol === symbol && f.side === 'buy');
          const boughtQty = Quantity.sum(bought.map((f) => f.qty));
          const boughtCost = Money.sum(bought.map((f) => notional(f.qty, f.price).plus(f.fees)));
          let closedQty = Quantity.ZERO;
          let closedCost = Money.ZERO;
          let book = emptyBook(sid());
          for (const f of fills) {
            const applied = applyFill(book, f);
            book = applied.book;
            for (const c of applied.changes) {
              if (c.key.symbol !== symbol || c.kind === 'opened' || c.kind === 'merged') continue;
              closedQty = closedQty.plus(c.closedQty);
              closedCost = closedCost.plus(c.closedCost);
            }
          }
          const open = book.lots.filter((l) => l.symbol === symbol);
          expect(closedQty.plus(openQuantity(open)).eq(boughtQty)).toBe(true);
          expect(closedCost.plus(Money.sum(open.map((l) => l.cost))).eq(boughtCost)).toBe(true);
          expect(open.every((l) => l.openQty.isPositive())).toBe(true);
        }
      }),
    );
  });
});
