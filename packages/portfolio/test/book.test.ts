import { Quantity } from '@books/core';
import { applyFill, emptyBook, type Fill, heldQuantity, lotsOf, plainBook } from '../src/book';
import { DuplicateFillError, InvalidFillError, LotKeyCollisionError, OversellError } from '../src/errors';
import { at, bookWith, buy, px, sell, sid, str, sym, usd } from './support/builders';

describe('applyFill', () => {
  it('opens a lot on a BUY, with buy fees in its cost, and takes qty × price + fees from cash', () => {
    const book = bookWith('10000');
    const f = buy('SPY', '10', '100', { fees: '1', orderId: 'o1' });
    const { book: after, changes, cashDelta, realizedPnl } = applyFill(book, f);

    expect(str(after.cash)).toBe('8999');
    expect(str(cashDelta)).toBe('-1001');
    expect(str(realizedPnl)).toBe('0');
    expect(plainBook(after).lots).toEqual([
      { symbol: 'SPY', openedAt: f.at, orderId: 'o1', openQty: '10', openPrice: '100', cost: '1001' },
    ]);
    expect(changes).toEqual([
      { kind: 'opened', key: { symbol: 'SPY', openedAt: f.at, orderId: 'o1' }, lot: after.lots[0] },
    ]);
    expect(after.appliedFillIds.has(f.fillId)).toBe(true);
  });

  it('leaves the input book untouched (books are immutable values)', () => {
    const book = bookWith('10000');
    const before = plainBook(book);
    applyFill(book, buy('SPY', '10', '100'));
    expect(plainBook(book)).toEqual(before);
  });

  it('closes part of a lot on a partial exit: the rest keeps its openedAt and a proportional cost', () => {
    const opening = buy('SPY', '10', '100', { fees: '1', orderId: 'o1' });
    const book = bookWith('10000', [opening]);
    const { book: after, changes, realizedPnl } = applyFill(book, sell('SPY', '4', '110', { fees: '0.5' }));

    // proceeds 440 − closed cost 1001 × 4/10 = 400.4 − fees 0.5
    expect(str(realizedPnl)).toBe('39.1');
    expect(str(after.realizedPnl)).toBe('39.1');
    expect(str(after.cash)).toBe('9438.5');
    expect(plainBook(after).lots).toEqual([
      { symbol: 'SPY', openedAt: opening.at, orderId: 'o1', openQty: '6', openPrice: '100', cost: '600.6' },
    ]);
    expect(changes.map((c) => c.kind)).toEqual(['reduced']);
    const [reduced] = changes;
    expect(reduced?.kind === 'reduced' && [str(reduced.closedQty), str(reduced.closedCost)]).toEqual([
      '4',
      '400.4',
    ]);
  });

  it('closes the oldest lots first across three lots and realizes proceeds − FIFO cost − fees', () => {
    const l1 = buy('QQQ', '5', '10', { orderId: 'o1' });
    const l2 = buy('QQQ', '5', '12', { orderId: 'o2' });
    const l3 = buy('QQQ', '10', '15', { orderId: 'o3' });
    const book = bookWith('1000', [l1, l2, l3]);
    const { book: after, changes, realizedPnl } = applyFill(book, sell('QQQ', '12', '20', { fees: '2' }));

    // closes 5 @ 50 + 5 @ 60 + 2/10 of 150 = 140; proceeds 240; fees 2
    expect(str(realizedPnl)).toBe('98');
    expect(str(after.cash)).toBe('978'); // 1000 − 260 + 240 − 2
    expect(changes.map((c) => [c.kind, c.key.orderId])).toEqual([
      ['closed', 'o1'],
      ['closed', 'o2'],
      ['reduced', 'o3'],
    ]);
    expect(plainBook(after).lots).toEqual([
      { symbol: 'QQQ', openedAt: l3.at, orderId: 'o3', openQty: '8', openPrice: '15', cost: '120' },
    ]);
  });

  it('sells exactly the held quantity of odd fractional lots and leaves no lot behind', () => {
    const book = bookWith('1000', [buy('ABC', '0.333333333', '300'), buy('ABC', '1.1', '310')]);
    const { book: after, changes, realizedPnl } = applyFill(book, sell('ABC', '1.433333333', '320'));

    // cost 99.9999999 + 341; proceeds 458.66666656
    expect(str(realizedPnl)).toBe('17.66666666');
    expect(after.lots).toEqual([]);
    expect(changes.map((c) => c.kind)).toEqual(['closed', 'closed']);
    expect(str(after.cash)).toBe('1017.66666666');
  });

  it('splits a cost that does not divide evenly without losing a digit of the total', () => {
    const book = bookWith('100', [buy('XYZ', '3', '10', { fees: '1' })]);
    const { book: after, changes } = applyFill(book, sell('XYZ', '1', '10'));
    const [change] = changes;
    expect(change?.kind === 'reduced' && str(change.closedCost)).toBe('10.3333333333');
    expect(str(after.lots[0]?.cost ?? null)).toBe('20.6666666667');
    expect(str(after.realizedPnl)).toBe('-0.3333333333');
  });

  it('keeps lots ordered by symbol then oldest first, whatever the order fills arrive in', () => {
    const late = buy('SPY', '1', '100', { at: at(50), orderId: 'late' });
    const early = buy('SPY', '1', '100', { at: at(40), orderId: 'early' });
    const other = buy('AAPL', '1', '100', { at: at(60), orderId: 'aapl' });
    const book = bookWith('1000', [late, early, other]);
    expect(book.lots.map((l) => l.orderId)).toEqual(['aapl', 'early', 'late']);
    expect(lotsOf(book, sym('SPY')).map((l) => l.orderId)).toEqual(['early', 'late']);
    expect(str(heldQuantity(book, sym('SPY')))).toBe('2');
    expect(str(heldQuantity(book, sym('MSFT')))).toBe('0');
  });

  it('books a BUY beyond the cash as a fact: cash goes negative, planning is what prevents it', () => {
    const { book } = applyFill(emptyBook(sid()), buy('SPY', '1', '100'));
    expect(str(book.cash)).toBe('-100');
  });

  const held = bookWith('10000', [
    buy('SPY', '2', '100', { fillId: 'b1', orderId: 'o1', at: at(1) }),
    buy('SPY', '1', '100', { fillId: 'b2', orderId: 'o2', at: at(2) }),
  ]);
  const base: Fill = {
    fillId: 'new',
    orderId: 'o9',
    symbol: sym('SPY'),
    side: 'sell',
    qty: Quantity.of(1),
    price: px('100'),
    fees: usd('0'),
    at: at(9),
  };
  it.each<[string, Partial<Fill>, new (...args: never[]) => Error]>([
    ['a fill id already applied', { fillId: 'b1' }, DuplicateFillError],
    ['a SELL for more than the book holds', { qty: Quantity.parse('3.000000001') }, OversellError],
    ['a SELL of a symbol the book does not hold', { symbol: sym('QQQ') }, OversellError],
    ['a zero quantity', { qty: Quantity.ZERO }, InvalidFillError],
    ['a negative quantity', { qty: Quantity.of(-1) }, InvalidFillError],
    ['a zero price', { price: px('0') }, InvalidFillError],
    ['negative fees', { fees: usd('-0.01') }, InvalidFillError],
    ['a time that is not an ISO instant', { at: '2026-01-05 15:30' }, InvalidFillError],
    ['a time without milliseconds', { at: '2026-01-05T15:30:00Z' }, InvalidFillError],
    ['an empty fill id', { fillId: '' }, InvalidFillError],
    [
      'a BUY whose lot key names an open lot',
      { side: 'buy', orderId: 'o1', at: at(1) },
      LotKeyCollisionError,
    ],
  ])('rejects %s with a typed error', (_name, change, ErrorType) => {
    expect(() => applyFill(held, { ...base, ...change })).toThrow(ErrorType);
  });

  it('names the book, symbol, requested and held quantities in an oversell', () => {
    expect(() => applyFill(held, { ...base, qty: Quantity.of(5) })).toThrow(
      'book alpha cannot sell 5 SPY: it holds 3',
    );
  });
});
