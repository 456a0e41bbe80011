import { ClientOrderId, Money, Price, Quantity, RunId, StrategyId, Symbol, Weight } from '@books/core';
import type { PlannedTrade } from '@books/portfolio';
import { executionRequestFor, type RequestContext, type StrategyExecutionRequested } from '@books/queue';
import { differencesFromPlan, type PlannedTradeRecord } from '../src/planned-trade';

const runId = RunId('test-2024-10-01');
const strategyId = StrategyId('momentum');
const trade: PlannedTrade = {
  symbol: Symbol('SPY'),
  side: 'buy',
  qty: Quantity.parse('52'),
  price: Price.parse('384.37'),
  estimatedValue: Money.parse('19987.24'),
  currentValue: Money.ZERO,
  targetValue: Money.parse('20000'),
  reason: 'enter',
  leg: 0,
};
const context: RequestContext = {
  runId,
  strategyId,
  file: 'momentum.clj',
  allocation: Weight.parse('0.4'),
  strategyCapital: Money.parse('40000'),
  plannedAt: '2024-10-01T19:30:00.000Z',
};

function planned(overrides: Partial<PlannedTradeRecord> = {}): PlannedTradeRecord {
  const message = executionRequestFor(trade, context);
  return {
    runId,
    strategyId,
    clientOrderId: message.client_order_id,
    symbol: trade.symbol,
    side: trade.side,
    leg: trade.leg,
    qty: trade.qty,
    targetValue: trade.targetValue,
    source: 'plan',
    plan: {
      capital: context.strategyCapital,
      allocation: context.allocation,
      file: context.file,
      plannedAt: context.plannedAt,
      shares: {},
    },
    ...overrides,
  };
}

const message = (
  t: Partial<PlannedTrade> = {},
  ctx: Partial<typeof context> = {},
): StrategyExecutionRequested => executionRequestFor({ ...trade, ...t }, { ...context, ...ctx });

describe('a message checked against the trade its run planned', () => {
  it('finds no difference in the message the plan itself sends', () => {
    expect(differencesFromPlan(message(), planned())).toEqual([]);
  });

  it.each<[string, StrategyExecutionRequested, RegExp]>([
    [
      'a larger quantity',
      message({ qty: Quantity.parse('200') }),
      /^quantity: the message says 200, the plan 52$/,
    ],
    ['another target value', message({ targetValue: Money.parse('76874') }), /^target value: /],
    [
      'another strategy capital',
      message({}, { strategyCapital: Money.parse('99999') }),
      /^strategy capital: /,
    ],
    ['another allocation', message({}, { allocation: Weight.parse('0.9') }), /^allocation: /],
    ['another file', message({}, { file: 'other.clj' }), /^strategy file: /],
    ['another plan time', message({}, { plannedAt: '2024-10-02T19:30:00.000Z' }), /^plan time: /],
  ])('lists %s', (_, m, expected) => {
    const found = differencesFromPlan(m, planned());
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('lists the symbol, side and leg of a message whose client order id points to another trade', () => {
    const other = message({ symbol: Symbol('QQQ'), side: 'sell', leg: 1 });
    const found = differencesFromPlan(
      { ...other, client_order_id: ClientOrderId(planned().clientOrderId) },
      planned(),
    );
    expect(found.map((f) => f.split(':')[0])).toEqual(['symbol', 'side', 'leg']);
  });

  it("lists an attribution that differs from the legacy plan's shares of the symbol, and one the plan has not", () => {
    const shares = { momentum: Weight.parse('0.6'), breakout: Weight.parse('0.4') };
    const legacy = planned({ plan: { ...planned().plan, shares } });
    const attributed = (s: Record<string, Weight>) => message({}, { attribution: { SPY: s } });
    expect(differencesFromPlan(attributed(shares), legacy)).toEqual([]);
    expect(differencesFromPlan(attributed({ momentum: Weight.ONE }), legacy)[0]).toMatch(/^attribution: /);
    expect(differencesFromPlan(attributed(shares), planned())[0]).toMatch(/^attribution: /);
  });
});
