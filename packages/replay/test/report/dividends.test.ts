import { LEGACY, Money, StrategyId, Symbol, TradingDate } from '@books/core';
import type { StoredActivity, StoredBookActivity } from '@books/ledger-client';
import { dividendTotals } from '../../src/report/dividends';

const DAYS = { first: '2025-10-01', last: '2025-10-31' };

function activity(
  id: string,
  kind: string,
  date: string,
  amount: string,
  extra: Partial<StoredActivity> = {},
) {
  return {
    activityId: id,
    activityType: kind === 'dividend' ? 'DIV' : 'FEE',
    kind,
    date: TradingDate(date),
    symbol: 'SPY',
    amount,
    outcome: 'posted',
    target: 'books',
    books: [],
    at: `${date}T20:00:00.000Z`,
    ...extra,
  } satisfies StoredActivity;
}

function income(sid: string, id: string, amount: string): StoredBookActivity {
  return {
    strategyId: StrategyId(sid),
    activityId: id,
    posting: {
      kind: 'income',
      id,
      at: '2025-10-31T20:00:00.000Z',
      symbol: Symbol('SPY'),
      amount: Money.parse(amount),
    },
  };
}

describe('dividends of a report', () => {
  it('sums each book’s share of the dividends paid in the days, 0 for a book with none, LEGACY like any book', () => {
    const totals = dividendTotals(
      [
        activity('div-1', 'dividend', '2025-10-31', '12.34'),
        activity('div-2', 'dividend', '2025-10-15', '1.66'),
      ],
      [
        {
          strategyId: 'alpha',
          activities: [income('alpha', 'div-1', '10.00'), income('alpha', 'div-2', '1.66')],
        },
        { strategyId: LEGACY, activities: [income(LEGACY, 'div-1', '2.34')] },
        { strategyId: 'idle', activities: [] },
      ],
      DAYS,
    );
    expect(totals).toEqual({ account: '14', books: { alpha: '11.66', [LEGACY]: '2.34', idle: '0' } });
  });

  it('leaves out dividends paid outside the days and charges on a symbol, and counts a pending dividend for the account only', () => {
    const totals = dividendTotals(
      [
        activity('div-old', 'dividend', '2025-09-30', '5'),
        activity('fee-1', 'account_cash', '2025-10-20', '-0.5'),
        activity('div-pending', 'dividend', '2025-10-21', '3.25', { outcome: 'pending', target: 'none' }),
        activity('div-1', 'dividend', '2025-10-01', '2'),
      ],
      [
        {
          strategyId: 'alpha',
          activities: [
            income('alpha', 'div-old', '5'),
            income('alpha', 'fee-1', '-0.5'),
            income('alpha', 'div-1', '2'),
          ],
        },
      ],
      DAYS,
    );
    expect(totals).toEqual({ account: '5.25', books: { alpha: '2' } });
  });
});
