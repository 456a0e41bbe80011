import type { PlainBook } from '@books/portfolio';
import { compareBooks } from '../src/book-verification';

const lot = (symbol: string, openQty: string, orderId: string) => ({
  symbol,
  openedAt: '2024-01-02T21:00:00.000Z',
  orderId,
  openQty,
  openPrice: '10',
  cost: (Number(openQty) * 10).toString(),
});
const book = (over: Partial<PlainBook> = {}): PlainBook => ({
  strategyId: 'alpha',
  lots: [lot('SPY', '2', 'o1'), lot('SPY', '1', 'o2')],
  cash: '970',
  realizedPnl: '0',
  appliedFillIds: [],
  appliedTransferIds: [],
  ...over,
});

describe('a stored book against its rebuild from the ledger', () => {
  it('finds no difference in the same book, whatever fills and transfers each applied', () => {
    expect(compareBooks(book(), book({ appliedFillIds: ['f1'], appliedTransferIds: ['t1'] }))).toEqual([]);
  });

  it('names the cash and the realized P&L as stored ≠ rebuilt', () => {
    expect(compareBooks(book({ cash: '960', realizedPnl: '5' }), book())).toEqual([
      'cash: 960 ≠ 970',
      'realized P&L: 5 ≠ 0',
    ]);
  });

  it('lists a lot found on one side only', () => {
    const differences = compareBooks(book({ lots: [lot('SPY', '2', 'o1')] }), book());
    expect(differences).toEqual([
      'lot only rebuilt: SPY 1 @ 10 cost 10 opened 2024-01-02T21:00:00.000Z order o2',
    ]);
  });

  it('reports the same lots in another FIFO order, which changes what a sale consumes', () => {
    const reversed = book({ lots: [lot('SPY', '1', 'o2'), lot('SPY', '2', 'o1')] });
    expect(compareBooks(reversed, book())).toEqual(['lots: same lots in a different FIFO order']);
  });
});
