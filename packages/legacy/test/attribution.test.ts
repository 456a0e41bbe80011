import {
  ClientOrderId,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import type { LegacyTrade } from '@books/ledger-client';
import { aggregateSignals, attributedPnl } from '../src';

const w = (v: string) => Weight.parse(v);
const signals = aggregateSignals({
  runId: RunId('p-2025-03-04'),
  tradingDate: TradingDate('2025-03-04'),
  recordedAt: '2025-03-04T20:30:00.000Z',
  strategies: [
    { strategyId: StrategyId('alpha'), flow: 'legacy', allocation: w('0.6') },
    { strategyId: StrategyId('beta'), flow: 'legacy', allocation: w('0.4') },
  ],
  signals: new Map([
    [
      StrategyId('alpha'),
      { strategyId: StrategyId('alpha'), outcome: 'SIGNALLED', weights: new Map([[Symbol('SPY'), w('1')]]) },
    ],
    [
      StrategyId('beta'),
      { strategyId: StrategyId('beta'), outcome: 'SIGNALLED', weights: new Map([[Symbol('SPY'), w('1')]]) },
    ],
  ]),
});

const sell: LegacyTrade = {
  orderId: 'o1',
  clientOrderId: ClientOrderId('c1'),
  symbol: Symbol('SPY'),
  side: 'sell',
  filledQty: Quantity.parse('10'),
  fillPrice: Price.parse('510'),
  fees: Money.ZERO,
  runId: RunId('p-2025-03-03'),
  submittedAt: '2025-03-03T20:30:00.000Z',
  filledAt: '2025-03-03T20:30:00.000Z',
  strategyNames: ['alpha', 'beta'],
  strategyWeights: [
    { strategyId: StrategyId('alpha'), weight: w('0.75') },
    { strategyId: StrategyId('beta'), weight: w('0.25') },
  ],
  realizedPnl: Money.parse('100'),
};

describe('P&L of the merged-flow strategies, attributed', () => {
  it('splits realized P&L by each trade’s strategy_weights and positions by the latest contributions, summing to the legacy book', () => {
    const [alpha, beta] = attributedPnl({
      strategyIds: [StrategyId('alpha'), StrategyId('beta')],
      trades: [sell],
      signals,
      legacy: [
        {
          symbol: 'SPY',
          qty: Quantity.parse('100'),
          marketValue: Money.parse('50000'),
          unrealizedPnl: Money.parse('1000'),
        },
      ],
    });
    expect([alpha?.realizedPnl.toString(), beta?.realizedPnl.toString()]).toEqual(['75', '25']);
    expect(
      alpha?.positions.map((p) => [p.qty.toString(), p.marketValue.toString(), p.unrealizedPnl.toString()]),
    ).toEqual([['60', '30000', '600']]);
    expect(alpha?.attributed).toBe(true);
    expect(alpha?.unrealizedPnl.plus(beta?.unrealizedPnl ?? Money.ZERO).toString()).toBe('1000');
  });
});
