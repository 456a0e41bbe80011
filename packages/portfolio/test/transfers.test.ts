import { emptyBook } from '../src/book';
import { DuplicateTransferError, InvalidTransferError } from '../src/errors';
import { applyTransfer, type Transfer } from '../src/transfers';
import { bookWith, buy, sid, str, transfer } from './support/builders';

describe('applyTransfer', () => {
  it('adds an inflow to the book cash and records its id', () => {
    const book = applyTransfer(emptyBook(sid()), transfer('fund-1', '25000'));
    expect(str(book.cash)).toBe('25000');
    expect([...book.appliedTransferIds]).toEqual(['fund-1']);
  });

  it('takes an outflow out of the cash, down to exactly zero', () => {
    const book = applyTransfer(bookWith('100'), transfer('drift-1', '-100', 1, 'drift'));
    expect(str(book.cash)).toBe('0');
  });

  it('leaves lots and realized P&L alone', () => {
    const book = bookWith('1000', [buy('SPY', '1', '100')]);
    const after = applyTransfer(book, transfer('adj', '5', 9, 'adjustment'));
    expect(after.lots).toBe(book.lots);
    expect(str(after.realizedPnl)).toBe('0');
  });

  const funded = bookWith('100');
  it.each<[string, Transfer, new (...args: never[]) => Error]>([
    ['an id already applied', transfer('seed', '1'), DuplicateTransferError],
    ['an outflow beyond the cash', transfer('t', '-100.01', 1, 'drift'), InvalidTransferError],
    ['a zero amount', transfer('t', '0'), InvalidTransferError],
    ['an empty id', transfer('', '1'), InvalidTransferError],
    ['a time that is not an ISO instant', { ...transfer('t', '1'), at: 'yesterday' }, InvalidTransferError],
  ])('rejects %s with a typed error', (_name, t, ErrorType) => {
    expect(() => applyTransfer(funded, t)).toThrow(ErrorType);
  });
});
