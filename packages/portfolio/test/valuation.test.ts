import { Money, Quantity, Symbol } from '@books/core';
import { emptyBook } from '../src/book';
import { MissingPriceError } from '../src/errors';
import { bookEquity, brokerMarks, positionsOf, quantitiesOf, valueBook } from '../src/valuation';
import { bookWith, buy, prices, sell, sid, str } from './support/builders';

describe('valuation', () => {
  const book = bookWith('10000', [
    buy('SPY', '10', '100', { fees: '1' }),
    buy('SPY', '5', '106'),
    buy('AAPL', '0.5', '200'),
    sell('SPY', '4', '110'),
  ]);

  it('sums open lots into positions per symbol with quantity, cost and average cost', () => {
    // SPY: 6 left of the 1001 lot (600.6) + 5 @ 106 (530)
    expect(
      positionsOf(book).map((p) => [p.symbol, str(p.qty), str(p.cost), str(p.avgCost.round(6))]),
    ).toEqual([
      ['AAPL', '0.5', '100', '200'],
      ['SPY', '11', '1130.6', '102.781818'],
    ]);
    expect([...quantitiesOf(book)].map(([s, q]) => [s, str(q)])).toEqual([
      ['AAPL', '0.5'],
      ['SPY', '11'],
    ]);
  });

  it('values lots at the marks: market value, unrealized P&L and equity = Σ lots at mark + cash', () => {
    const v = valueBook(book, prices({ SPY: '120', AAPL: '190.5' }));
    expect(v.positions.map((p) => [p.symbol, str(p.marketValue), str(p.unrealizedPnl)])).toEqual([
      ['AAPL', '95.25', '-4.75'],
      ['SPY', '1320', '189.4'],
    ]);
    // cash: 10000 − 1001 − 530 − 100 + 440
    expect(str(v.cash)).toBe('8809');
    expect(str(v.marketValue)).toBe('1415.25');
    expect(str(v.unrealizedPnl)).toBe('184.65');
    // realized: 440 − 400.4
    expect(str(v.realizedPnl)).toBe('39.6');
    expect(str(v.equity)).toBe('10224.25');
    expect(str(bookEquity(book, prices({ SPY: '120', AAPL: '190.5' })))).toBe('10224.25');
  });

  it('values an empty book at its cash without needing any price', () => {
    expect(str(bookEquity(emptyBook(sid()), new Map()))).toBe('0');
    expect(str(bookEquity(bookWith('50'), new Map()))).toBe('50');
  });

  it.each([
    ['no prices at all', {}, ['AAPL', 'SPY']],
    ['a price for another symbol only', { QQQ: '1' }, ['AAPL', 'SPY']],
    ['one held symbol unpriced', { SPY: '120' }, ['AAPL']],
  ])('refuses to value a held symbol without a price (%s)', (_name, marks, missing) => {
    expect(() => valueBook(book, prices(marks))).toThrow(MissingPriceError);
    try {
      valueBook(book, prices(marks));
    } catch (e) {
      expect(e instanceof MissingPriceError && e.symbols).toEqual(missing);
    }
  });
});

describe("the broker's marks", () => {
  it('marks each held position at its market value per share, and leaves out a position of no quantity', () => {
    const marks = brokerMarks([
      { symbol: Symbol('SPY'), qty: Quantity.parse('4'), marketValue: Money.parse('2010') },
      { symbol: Symbol('QQQ'), qty: Quantity.ZERO, marketValue: Money.ZERO },
    ]);
    expect([...marks].map(([s, p]) => [s, p.toString()])).toEqual([['SPY', '502.5']]);
  });
});
