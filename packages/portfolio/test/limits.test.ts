import { Money, Price, Quantity, type Side, Symbol, Weight } from '@books/core';
import { capPlanNotional, checkDrawdown } from '../src/limits';
import type { PlannedTrade, RebalancePlan } from '../src/rebalance';

function trade(symbol: string, side: Side, value: string): PlannedTrade {
  return {
    symbol: Symbol(symbol),
    side,
    qty: Quantity.parse('1'),
    price: Price.parse(value),
    estimatedValue: Money.parse(value),
    currentValue: Money.ZERO,
    targetValue: Money.ZERO,
    reason: side === 'sell' ? 'reduce' : 'increase',
    leg: 0,
  };
}

function plan(sells: PlannedTrade[], buys: PlannedTrade[], cashAfter = '100'): RebalancePlan {
  return { sells, buys, suppressed: [], estimatedCashAfter: Money.parse(cashAfter) };
}

const kept = (p: RebalancePlan) => [...p.sells, ...p.buys].map((t) => `${t.side} ${t.symbol}`);
const dropped = (p: RebalancePlan) => p.suppressed.map((t) => `${t.side} ${t.symbol} ${t.reason}`);

describe('the daily notional cap of a plan', () => {
  it('leaves a plan within the cap as it is', () => {
    const p = plan([trade('AAA', 'sell', '300')], [trade('BBB', 'buy', '300')]);
    expect(capPlanNotional(p, Money.parse('600'))).toBe(p);
  });

  it('keeps SELLs before BUYs, larger first, and suppresses what does not fit with the reason', () => {
    const p = plan(
      [trade('AAA', 'sell', '200'), trade('BBB', 'sell', '500')],
      [trade('CCC', 'buy', '400'), trade('DDD', 'buy', '100')],
    );
    const capped = capPlanNotional(p, Money.parse('800'));
    expect(kept(capped)).toEqual(['sell AAA', 'sell BBB', 'buy DDD']);
    expect(dropped(capped)).toEqual(['buy CCC over-notional-cap']);
    expect(capped.suppressed[0]?.detail).toBe('daily notional cap 800 (100 left)');
    expect(capped.estimatedCashAfter.toString()).toBe('500');
  });

  it('fits a smaller trade after a larger one that did not fit (first fit, deterministic)', () => {
    const p = plan(
      [trade('AAA', 'sell', '700'), trade('BBB', 'sell', '300'), trade('CCC', 'sell', '200')],
      [],
    );
    const capped = capPlanNotional(p, Money.parse('500'));
    expect(kept(capped)).toEqual(['sell BBB', 'sell CCC']);
    expect(dropped(capped)).toEqual(['sell AAA over-notional-cap']);
  });

  it('never spends the proceeds of a suppressed SELL: BUYs shrink by what it would have paid', () => {
    const p = plan(
      [trade('AAA', 'sell', '600'), trade('BBB', 'sell', '100')],
      [trade('CCC', 'buy', '400'), trade('DDD', 'buy', '300')],
      '50',
    );
    // The cap keeps SELL BBB (100) only; the BUYs may spend 700 − 600 = 100 at most: none fits.
    const capped = capPlanNotional(p, Money.parse('500'));
    expect(kept(capped)).toEqual(['sell BBB']);
    expect(dropped(capped)).toEqual([
      'sell AAA over-notional-cap',
      'buy CCC over-notional-cap',
      'buy DDD over-notional-cap',
    ]);
    // Cash after: 50 + 700 unspent − 600 not received.
    expect(capped.estimatedCashAfter.toString()).toBe('150');
    expect(capped.estimatedCashAfter.gte(p.estimatedCashAfter)).toBe(true);
  });

  it('orders equal values by symbol, whatever order the plan lists them in', () => {
    const a = plan([], [trade('ZZZ', 'buy', '300'), trade('AAA', 'buy', '300')], '1000');
    const b = plan([], [trade('AAA', 'buy', '300'), trade('ZZZ', 'buy', '300')], '1000');
    expect(kept(capPlanNotional(a, Money.parse('400')))).toEqual(['buy AAA']);
    expect(kept(capPlanNotional(b, Money.parse('400')))).toEqual(['buy AAA']);
  });
});

describe('the drawdown stop', () => {
  const stop = Weight.parse('0.2');
  it('starts its high-water mark at the first equity and raises it with gains', () => {
    expect(checkDrawdown({ equity: Money.parse('1000'), maxDrawdown: stop })).toMatchObject({
      breached: false,
    });
    const up = checkDrawdown({
      equity: Money.parse('1200'),
      highWaterMark: Money.parse('1000'),
      maxDrawdown: stop,
    });
    expect(up.highWaterMark.toString()).toBe('1200');
    expect(up.breached).toBe(false);
  });

  it('is breached at the configured share below the mark, not before', () => {
    const mark = Money.parse('1000');
    expect(
      checkDrawdown({ equity: Money.parse('800.01'), highWaterMark: mark, maxDrawdown: stop }).breached,
    ).toBe(false);
    const hit = checkDrawdown({ equity: Money.parse('800'), highWaterMark: mark, maxDrawdown: stop });
    expect(hit.breached).toBe(true);
    expect(hit.drawdown.toString()).toBe('0.2');
    expect(hit.highWaterMark.toString()).toBe('1000');
  });

  it('is never breached by a book with no equity yet', () => {
    expect(checkDrawdown({ equity: Money.ZERO, highWaterMark: Money.ZERO, maxDrawdown: stop }).breached).toBe(
      false,
    );
  });
});
