import { Quantity } from '@books/core';
import fc from 'fast-check';
import { legacyBookCash, legacyBookPositions } from '../src/legacy-book';
import { quantityArb } from './support/arbitraries';
import { quantities, sid, str, sym, usd } from './support/builders';

describe('legacy book', () => {
  const books = new Map([
    [sid('alpha'), quantities({ SPY: '60', AAPL: '1.5' })],
    [sid('beta'), quantities({ SPY: '15.25' })],
  ]);

  it('is what the broker holds minus what the per-strategy books own, per symbol', () => {
    const legacy = legacyBookPositions(quantities({ SPY: '100', AAPL: '1.5', QQQ: '7' }), books);
    expect([...legacy.positions].map(([s, q]) => [s, str(q)])).toEqual([
      ['QQQ', '7'],
      ['SPY', '24.75'],
    ]);
    expect(legacy.shortfalls).toEqual([]);
  });

  it('reports a negative remainder instead of clamping it, and gives that symbol no legacy position', () => {
    const legacy = legacyBookPositions(quantities({ SPY: '70', AAPL: '2' }), books);
    expect([...legacy.positions].map(([s, q]) => [s, str(q)])).toEqual([['AAPL', '0.5']]);
    expect(
      legacy.shortfalls.map((s) => [s.symbol, str(s.brokerQty), str(s.ownedQty), str(s.remainder)]),
    ).toEqual([['SPY', '70', '75.25', '-5.25']]);
  });

  it('reports a symbol the books own and the broker does not hold as a shortfall', () => {
    const legacy = legacyBookPositions(quantities({ SPY: '75.25' }), books);
    expect(legacy.shortfalls.map((s) => [s.symbol, str(s.remainder)])).toEqual([['AAPL', '-1.5']]);
  });

  it('takes book cash and the unallocated pool out of the broker cash, reporting a negative remainder', () => {
    expect(str(legacyBookCash(usd('1000'), [usd('300'), usd('200')], usd('100')).cash)).toBe('400');
    expect(legacyBookCash(usd('1000'), [usd('300'), usd('200')], usd('100')).shortfall).toBeNull();
    const short = legacyBookCash(usd('100'), [usd('300')], usd('0'));
    expect([str(short.cash), str(short.shortfall)]).toEqual(['0', '-200']);
  });

  it('adds back up: books + legacy − shortfalls = broker, per symbol (property)', () => {
    fc.assert(
      fc.property(quantityArb, quantityArb, quantityArb, (a, b, broker) => {
        const owned = new Map([
          [sid('a'), new Map([[sym('SPY'), a]])],
          [sid('b'), new Map([[sym('SPY'), b]])],
        ]);
        const legacy = legacyBookPositions(new Map([[sym('SPY'), broker]]), owned);
        const remainder =
          legacy.positions.get(sym('SPY')) ?? legacy.shortfalls[0]?.remainder ?? Quantity.ZERO;
        expect(a.plus(b).plus(remainder).eq(broker)).toBe(true);
        expect([...legacy.positions.values()].every((q) => q.isPositive())).toBe(true);
      }),
    );
  });
});
