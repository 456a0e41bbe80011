import { Money, Price, Quantity, StrategyId, Symbol } from '@books/core';
import {
  applyFill,
  applyTransferChanges,
  type Book,
  emptyBook,
  InvalidTransferError,
  OversellError,
  rebuildBook,
  type Transfer,
} from '../src';

const FROM = StrategyId('LEGACY');
const TO = StrategyId('momentum');
const SPY = Symbol('SPY');

function legacyWithTwoLots(): { book: Book; fills: Parameters<typeof applyFill>[1][] } {
  const fills = [
    { fillId: 'o1', orderId: 'o1', price: '100', qty: '10', at: '2025-01-02T20:30:00.000Z' },
    { fillId: 'o2', orderId: 'o2', price: '110', qty: '5', at: '2025-01-03T20:30:00.000Z' },
  ].map((f) => ({
    ...f,
    symbol: SPY,
    side: 'buy' as const,
    qty: Quantity.parse(f.qty),
    price: Price.parse(f.price),
    fees: Money.parse('0.03'),
  }));
  let book: Book = { ...emptyBook(FROM), cash: Money.parse('5000') };
  for (const f of fills) book = applyFill(book, f).book;
  return { book, fills };
}

describe('a transfer that moves positions between books (migration)', () => {
  it('closes FIFO out of one book and opens the same lots, cost basis and open time in the other', () => {
    const { book } = legacyWithTwoLots();
    const out: Transfer = {
      id: 'mig-1',
      amount: Money.parse('-100'),
      reason: 'migration',
      at: '2025-01-06T14:00:00.000Z',
      positions: [{ direction: 'out', symbol: SPY, qty: Quantity.parse('12') }],
    };
    const left = applyTransferChanges(book, out);
    const moved = left.changes.flatMap((c) =>
      c.kind === 'closed'
        ? [c.before]
        : c.kind === 'reduced'
          ? [{ ...c.before, openQty: c.closedQty, cost: c.closedCost }]
          : [],
    );
    const into = applyTransferChanges(emptyBook(TO), {
      ...out,
      amount: Money.parse('100'),
      positions: moved.map((lot) => ({ direction: 'in' as const, lot })),
    });
    const costOf = (b: Book) => Money.sum(b.lots.map((l) => l.cost));
    expect(costOf(left.book).plus(costOf(into.book)).toString()).toBe(costOf(book).toString());
    expect(into.book.lots.map((l) => [l.orderId, l.openQty.toString(), l.openedAt])).toEqual([
      ['o1', '10', '2025-01-02T20:30:00.000Z'],
      ['o2', '2', '2025-01-03T20:30:00.000Z'],
    ]);
    expect(left.book.lots.map((l) => [l.orderId, l.openQty.toString()])).toEqual([['o2', '3']]);
    expect(left.book.cash.plus(into.book.cash).toString()).toBe(book.cash.toString());
  });

  it('is folded by a rebuild the same way as when it was applied', () => {
    const { book, fills } = legacyWithTwoLots();
    const funding: Transfer = {
      id: 'f',
      amount: Money.parse('5000'),
      reason: 'funding',
      at: '2025-01-01T00:00:00.000Z',
    };
    const funded = { ...emptyBook(FROM), cash: Money.ZERO };
    let stored = applyTransferChanges(funded, funding).book;
    for (const f of fills) stored = applyFill(stored, f).book;
    const move: Transfer = {
      id: 'mig-2',
      amount: Money.ZERO,
      reason: 'migration',
      at: '2025-01-06T14:00:00.000Z',
      positions: [{ direction: 'out', symbol: SPY, qty: Quantity.parse('7.5') }],
    };
    stored = applyTransferChanges(stored, move).book;
    const rebuilt = rebuildBook(FROM, fills, [funding, move]);
    expect(rebuilt.lots).toEqual(stored.lots);
    expect(rebuilt.cash.toString()).toBe(stored.cash.toString());
    expect(book.lots.length).toBe(2);
  });

  it('merges a piece moved back onto the rest of its lot (out and back in is the original lot)', () => {
    const { book } = legacyWithTwoLots();
    const at = '2025-01-06T14:00:00.000Z';
    const out = applyTransferChanges(book, {
      id: 'm-out',
      amount: Money.ZERO,
      reason: 'migration',
      at,
      positions: [{ direction: 'out', symbol: SPY, qty: Quantity.parse('4') }],
    });
    const piece = out.changes.flatMap((c) =>
      c.kind === 'reduced' ? [{ ...c.before, openQty: c.closedQty, cost: c.closedCost }] : [],
    );
    const back = applyTransferChanges(out.book, {
      id: 'm-back',
      amount: Money.ZERO,
      reason: 'migration',
      at,
      positions: piece.map((lot) => ({ direction: 'in' as const, lot })),
    });
    expect(back.changes.map((c) => c.kind)).toEqual(['merged']);
    expect(back.book.lots).toEqual(book.lots);
  });

  it('refuses to move out more than the book holds, and an empty move', () => {
    const { book } = legacyWithTwoLots();
    const base = {
      id: 'x',
      amount: Money.ZERO,
      reason: 'migration' as const,
      at: '2025-01-06T14:00:00.000Z',
    };
    expect(() =>
      applyTransferChanges(book, {
        ...base,
        positions: [{ direction: 'out', symbol: SPY, qty: Quantity.parse('15.1') }],
      }),
    ).toThrow(OversellError);
    expect(() => applyTransferChanges(book, base)).toThrow(InvalidTransferError);
  });
});
