import { Decimal } from '@books/core';
import { attributedEquities } from '../src/attributed-equity';
import { sid, usd } from './support/builders';

describe('attributed equity of the merged flow', () => {
  const legacy = { cash: usd('1000.00'), transfersTotal: usd('3000.00') };

  it("is a strategy's attributed positions plus its share of the legacy cash, with its allocation's share of the transfers", () => {
    const [alpha, beta] = attributedEquities(legacy, [
      {
        strategyId: sid('alpha'),
        marketValue: usd('1200.00'),
        cashShare: new Decimal('0.25'),
        allocation: new Decimal('0.2'),
      },
      {
        strategyId: sid('beta'),
        marketValue: usd('800.00'),
        cashShare: new Decimal('0.75'),
        allocation: new Decimal('0.4'),
      },
    ]);
    // alpha: 1200 + 1000 × 0.25 = 1450; transfers 3000 × 0.2 / 0.6 = 1000.
    expect([alpha?.strategyId, alpha?.equity.toString(), alpha?.transfersTotal.toString()]).toEqual([
      'alpha',
      '1450',
      '1000',
    ]);
    // beta: 800 + 1000 × 0.75 = 1550; transfers 3000 × 0.4 / 0.6 = 2000.
    expect([beta?.equity.toString(), beta?.transfersTotal.toString()]).toEqual(['1550', '2000']);
  });

  it('rounds each cash share and each transfer share to the cent, half-even', () => {
    const [only] = attributedEquities({ cash: usd('100.00'), transfersTotal: usd('100.00') }, [
      {
        strategyId: sid('alpha'),
        marketValue: usd('0'),
        cashShare: new Decimal('0.33345'),
        allocation: new Decimal('1'),
      },
      {
        strategyId: sid('beta'),
        marketValue: usd('0'),
        cashShare: new Decimal('0'),
        allocation: new Decimal('2'),
      },
    ]);
    // 100 × 0.33345 = 33.345 → 33.34 (half-even: the even cent, not 33.35); 100 × 1/3 = 33.333… → 33.33.
    expect([only?.equity.toString(), only?.transfersTotal.toString()]).toEqual(['33.34', '33.33']);
  });

  it('attributes no transfers when the merged allocations sum to zero', () => {
    const [only] = attributedEquities(legacy, [
      {
        strategyId: sid('alpha'),
        marketValue: usd('10'),
        cashShare: new Decimal('1'),
        allocation: new Decimal('0'),
      },
    ]);
    expect([only?.equity.toString(), only?.transfersTotal.toString()]).toEqual(['1010', '0']);
  });
});
