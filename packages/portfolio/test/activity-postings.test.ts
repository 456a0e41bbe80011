import { Money, Quantity } from '@books/core';
import { applyPosting, type BookPosting } from '../src/activity-postings';
import { applyFill, plainBook } from '../src/book';
import { BooksActivityError } from '../src/errors';
import { rebuildBook } from '../src/rebuild';
import { at, bookWith, buy, qty, str, sym, transfer, usd } from './support/builders';

/** cash + Σ lot cost − realized P&L: what the transfers put in (the book's invariant). */
const invested = (b: ReturnType<typeof bookWith>) =>
  b.cash
    .plus(Money.sum(b.lots.map((l) => l.cost)))
    .minus(b.realizedPnl)
    .toString();

describe('applyPosting', () => {
  it('books a dividend as cash and as realized P&L (income)', () => {
    const book = bookWith('1000', [buy('SPY', '10', '50', { at: at(1) })]);
    const { book: after, changes } = applyPosting(book, {
      kind: 'income',
      id: 'div-1',
      at: at(5),
      symbol: sym('SPY'),
      amount: usd('12.34'),
    });
    expect(str(after.cash)).toBe('512.34');
    expect(str(after.realizedPnl)).toBe('12.34');
    expect(changes).toEqual([]);
    expect(invested(after)).toBe('1000');
  });

  it('splits 2:1: each lot doubles, per-share price halves, total cost unchanged', () => {
    const book = bookWith('1000', [
      buy('QQQ', '3', '100', { at: at(1), orderId: 'o1' }),
      buy('QQQ', '1.5', '120', { at: at(2), orderId: 'o2' }),
    ]);
    const { book: after, changes } = applyPosting(book, {
      kind: 'split',
      id: 'split-1',
      at: at(5),
      symbol: sym('QQQ'),
      from: '1',
      to: '2',
      keepQty: qty('9'),
      cash: Money.ZERO,
    });
    expect(after.lots.map((l) => [str(l.openQty), str(l.openPrice), str(l.cost)])).toEqual([
      ['6', '50', '300'],
      ['3', '60', '180'],
    ]);
    expect(str(after.cash)).toBe('520');
    expect(changes.map((c) => c.kind)).toEqual(['merged', 'merged']);
    expect(invested(after)).toBe('1000');
  });

  it('reverse-splits 1:10 with the fraction paid in lieu: closed FIFO, realized = cash − its cost', () => {
    // 25 shares at 20 (cost 500) → 2.5 new shares at 200; the book keeps 2, 0.5 is paid at 190.
    const book = bookWith('1000', [buy('TLT', '25', '20', { at: at(1), orderId: 'o1' })]);
    const { book: after } = applyPosting(book, {
      kind: 'split',
      id: 'rs-1',
      at: at(5),
      symbol: sym('TLT'),
      from: '10',
      to: '1',
      keepQty: qty('2'),
      cash: usd('95'),
    });
    expect(after.lots.map((l) => [str(l.openQty), str(l.openPrice), str(l.cost)])).toEqual([
      ['2', '200', '400'],
    ]);
    expect(str(after.cash)).toBe('595');
    // 95 − 0.5 × 200 = −5
    expect(str(after.realizedPnl)).toBe('-5');
    expect(invested(after)).toBe('1000');
  });

  it('adds a whole share made up of other holders’ fractions to the newest lot at the cash paid', () => {
    const book = bookWith('1000', [buy('TLT', '16', '20', { at: at(1) })]);
    // 16 → 1.6; the book keeps 2 and pays 0.4 × 190 = 76 for the 0.4 it receives.
    const { book: after } = applyPosting(book, {
      kind: 'split',
      id: 'rs-2',
      at: at(5),
      symbol: sym('TLT'),
      from: '10',
      to: '1',
      keepQty: qty('2'),
      cash: usd('-76'),
    });
    expect(after.lots.map((l) => [str(l.openQty), str(l.cost)])).toEqual([['2', '396']]);
    expect(str(after.cash)).toBe('604');
    expect(invested(after)).toBe('1000');
  });

  it('renames every lot of a symbol, keys and costs kept', () => {
    const book = bookWith('1000', [buy('FB', '2', '100', { at: at(1), orderId: 'o1' })]);
    const { book: after, changes } = applyPosting(book, {
      kind: 'rename',
      id: 'nc-1',
      at: at(5),
      symbol: sym('FB'),
      newSymbol: sym('META'),
    });
    expect(after.lots.map((l) => [l.symbol, l.orderId, str(l.openQty), str(l.cost)])).toEqual([
      ['META', 'o1', '2', '200'],
    ]);
    expect(changes.map((c) => c.kind)).toEqual(['closed', 'opened']);
  });

  it('refuses a split or rename of a symbol the book does not hold', () => {
    const book = bookWith('1000');
    const split: BookPosting = {
      kind: 'split',
      id: 's',
      at: at(5),
      symbol: sym('QQQ'),
      from: '1',
      to: '2',
      keepQty: Quantity.ZERO,
      cash: Money.ZERO,
    };
    expect(() => applyPosting(book, split)).toThrow(BooksActivityError);
  });

  it('is folded by rebuildBook in time order, before the fills of the same instant', () => {
    const fund = transfer('fund', '1000', 0);
    const b1 = buy('QQQ', '2', '100', { at: at(1), orderId: 'o1' });
    const split: BookPosting = {
      kind: 'split',
      id: 'split-1',
      at: at(3),
      symbol: sym('QQQ'),
      from: '1',
      to: '2',
      keepQty: qty('4'),
      cash: Money.ZERO,
    };
    const b2 = buy('QQQ', '1', '55', { at: at(3), orderId: 'o2' });
    const live = applyFill(applyPosting(bookWith('1000', [b1]), split).book, b2).book;
    const rebuilt = rebuildBook(live.strategyId, [b2, b1], [fund], [split]);
    expect(plainBook(rebuilt).lots).toEqual(plainBook(live).lots);
    expect(str(rebuilt.cash)).toBe(str(live.cash));
    expect(rebuilt.lots.map((l) => str(l.openQty))).toEqual(['4', '1']);
  });
});
