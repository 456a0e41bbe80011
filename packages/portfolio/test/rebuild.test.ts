import { Money } from '@books/core';
import fc from 'fast-check';
import { applyFill, emptyBook, plainBook } from '../src/book';
import { rebuildBook } from '../src/rebuild';
import { applyTransfer } from '../src/transfers';
import { interpret, opArb } from './support/arbitraries';
import { at, buy, sell, shuffled, sid, str, transfer } from './support/builders';

describe('rebuildBook', () => {
  it('folds transfers and fills in time order whatever order the ledger returns them in', () => {
    const fund = transfer('fund', '1000', 1);
    const opening = buy('SPY', '10', '100', { at: at(2) });
    const closing = sell('SPY', '4', '110', { at: at(3) });
    const live = applyFill(applyFill(applyTransfer(emptyBook(sid()), fund), opening).book, closing).book;
    const fills = [closing, opening];
    const transfers = [fund];
    const rebuilt = rebuildBook(sid(), [...fills].reverse(), transfers);
    expect(plainBook(rebuilt)).toEqual(plainBook(live));
    expect(str(rebuilt.cash)).toBe('440');
  });

  it('applies a transfer before a fill stamped at the same instant (funding precedes trading)', () => {
    const rebuilt = rebuildBook(
      sid(),
      [buy('SPY', '10', '100', { at: at(1) })],
      [transfer('fund', '1000', 1)],
    );
    expect(str(rebuilt.cash)).toBe('0');
  });

  it('equals the stored book built fill by fill, for any history (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer(), (ops, seed) => {
        const { book, fills, transfers } = interpret(ops);
        const rebuilt = rebuildBook(sid(), shuffled(fills, seed), shuffled(transfers, seed + 1));
        expect(plainBook(rebuilt)).toEqual(plainBook(book));
      }),
    );
  });

  it('conserves cash + Σ lot cost − realized P&L = Σ transfers (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { book, transfers } = interpret(ops);
        const costBasis = Money.sum(book.lots.map((l) => l.cost));
        const funded = Money.sum(transfers.map((t) => t.amount));
        expect(book.cash.plus(costBasis).minus(book.realizedPnl).eq(funded)).toBe(true);
      }),
    );
  });
});
