import { ClientOrderId, Money, Price, Quantity, RunId, StrategyId, Symbol, TradingDate } from '@books/core';
import type {
  OrderIntent,
  ReconResult,
  RunMeta,
  RunStrategy,
  StoredLot,
  StoredTransfer,
  StrategyTrade,
} from '../../src';

export const SID = StrategyId('momentum');
export const RUN = RunId('2026-11-24-1530');

export function aTrade(overrides: Partial<StrategyTrade> = {}): StrategyTrade {
  return {
    strategyId: SID,
    strategyName: 'Momentum',
    orderId: 'order-1',
    clientOrderId: ClientOrderId('sb-momentum-SPY-b0-abc'),
    symbol: Symbol('SPY'),
    side: 'buy',
    filledQty: Quantity.parse('3.5'),
    fillPrice: Price.parse('601.23'),
    fees: Money.parse('0.01'),
    runId: RUN,
    strategyCapital: Money.parse('25000'),
    submittedAt: '2026-11-24T20:30:00.000Z',
    filledAt: '2026-11-24T20:30:01.250Z',
    ...overrides,
  };
}

export function aLot(overrides: Partial<StoredLot> = {}): StoredLot {
  return {
    strategyId: SID,
    symbol: Symbol('SPY'),
    openedAt: '2026-11-24T20:30:01.250Z',
    orderId: 'order-1',
    openQty: Quantity.parse('3.5'),
    openPrice: Price.parse('601.23'),
    cost: Money.parse('2104.315'),
    ...overrides,
  };
}

export function aTransfer(overrides: Partial<StoredTransfer> = {}): StoredTransfer {
  return {
    strategyId: SID,
    id: 'fund-1',
    amount: Money.parse('25000'),
    reason: 'funding',
    at: '2026-11-24T14:00:00.000Z',
    ...overrides,
  };
}

export function aRunMeta(overrides: Partial<RunMeta> = {}): RunMeta {
  return {
    runId: RUN,
    tradingDate: TradingDate('2026-11-24'),
    trigger: 'schedule-1530',
    status: 'PLANNED',
    createdAt: '2026-11-24T20:30:00.000Z',
    updatedAt: '2026-11-24T20:30:00.000Z',
    ...overrides,
  };
}

export function aRunStrategy(overrides: Partial<RunStrategy> = {}): RunStrategy {
  return {
    runId: RUN,
    strategyId: SID,
    flow: 'per-strategy',
    status: 'PENDING',
    pendingSells: 0,
    heldBuys: [],
    updatedAt: '2026-11-24T20:30:00.000Z',
    ...overrides,
  };
}

export function anIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    runId: RUN,
    clientOrderId: ClientOrderId('sb-momentum-SPY-s0-abc'),
    strategyId: SID,
    symbol: Symbol('SPY'),
    side: 'sell',
    leg: 0,
    qty: Quantity.parse('1.25'),
    state: 'PENDING',
    createdAt: '2026-11-24T20:30:00.000Z',
    updatedAt: '2026-11-24T20:30:00.000Z',
    ...overrides,
  };
}

export function aRecon(overrides: Partial<ReconResult> = {}): ReconResult {
  return {
    date: TradingDate('2026-11-24'),
    at: '2026-11-24T21:15:00.000Z',
    entries: [
      {
        symbol: Symbol('SPY'),
        status: 'MATCH',
        booksQty: Quantity.parse('3.5'),
        brokerQty: Quantity.parse('3.5'),
        byStrategy: [{ strategyId: SID, qty: Quantity.parse('3.5') }],
      },
    ],
    ...overrides,
  };
}
