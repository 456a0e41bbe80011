import { Money, notional, Price, Quantity, Symbol } from '@books/core';
import type { PlannedTrade } from '@books/portfolio';
import { buysWithinCash } from '../src/release-buys';

function buy(symbol: string, qty: string, price: string): PlannedTrade {
  const p = Price.parse(price);
  const q = Quantity.parse(qty);
  return {
    symbol: Symbol(symbol),
    side: 'buy',
    qty: q,
    price: p,
    estimatedValue: notional(q, p),
    currentValue: Money.ZERO,
    targetValue: notional(q, p),
    reason: 'enter',
    leg: 0,
  };
}

const total = (buys: readonly PlannedTrade[]) => Money.sum(buys.map((b) => b.estimatedValue));

describe("the BUYs a release sends, within the book's cash", () => {
  it('keeps buys the cash pays for as they are', () => {
    const buys = [buy('GLD', '10', '200'), buy('TLT', '20', '90')];
    expect(buysWithinCash(buys, Money.parse('5000'))).toEqual({ buys, suppressed: [] });
  });

  it('cuts buys planned with the proceeds of a SELL not executed down to the cash alone', () => {
    const { buys } = buysWithinCash(
      [buy('GLD', '100', '200'), buy('TLT', '200', '90')],
      Money.parse('10000'),
    );
    expect(total(buys).lte(Money.parse('10000'))).toBe(true);
    expect(total(buys).gt(Money.parse('9000'))).toBe(true);
  });

  it('releases nothing from a book whose cash is zero or negative, and says why', () => {
    for (const cash of ['0', '-9084.97']) {
      const { buys, suppressed } = buysWithinCash([buy('TLT', '5', '90')], Money.parse(cash));
      expect(buys).toEqual([]);
      expect(suppressed.map((s) => s.reason)).toEqual(['insufficient-cash']);
    }
  });
});
