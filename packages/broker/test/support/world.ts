import { ClientOrderId, Money, Price, Quantity, Symbol } from '@books/core';
import type { FakeWorld } from '@books/testkit';
import type { OrderRequest } from '../../src';

/**
 * The account every contract case starts from. "Now" is 10:00 New York time on the Friday after
 * Thanksgiving 2026, an early-close day (13:00); Thanksgiving itself is not a trading day.
 */
export const CONTRACT_NOW = '2026-11-27T15:00:00Z';

export const CONTRACT_WORLD: FakeWorld = {
  cash: '10000',
  assets: [
    { symbol: 'SPY', tradable: true, fractionable: true },
    { symbol: 'QQQ', tradable: true, fractionable: true },
    { symbol: 'NVR', tradable: true, fractionable: false },
    { symbol: 'DLST', tradable: false, fractionable: false, status: 'inactive' },
  ],
  prices: {
    SPY: '500',
    NVR: '100',
    // More digits than a float64 holds: must come back exactly.
    QQQ: '410.1234567890123456789',
  },
  calendar: [
    { date: '2026-11-25', open: '09:30', close: '16:00' },
    { date: '2026-11-27', open: '09:30', close: '13:00' },
    { date: '2026-11-30', open: '09:30', close: '16:00' },
  ],
};

let seq = 0;
/** A fresh, valid client order id per call. */
export function cid(label = 'o'): ClientOrderId {
  seq += 1;
  return ClientOrderId(`t-${label}-${seq}-${Math.random().toString(36).slice(2, 8)}`);
}

export function marketBuy(symbol: string, qty: string, clientOrderId = cid()): OrderRequest {
  return {
    clientOrderId,
    symbol: Symbol(symbol),
    side: 'buy',
    type: 'market',
    timeInForce: 'day',
    qty: Quantity.parse(qty),
  };
}

export function marketSell(symbol: string, qty: string, clientOrderId = cid()): OrderRequest {
  return {
    clientOrderId,
    symbol: Symbol(symbol),
    side: 'sell',
    type: 'market',
    timeInForce: 'day',
    qty: Quantity.parse(qty),
  };
}

export function notionalBuy(symbol: string, notional: string, clientOrderId = cid()): OrderRequest {
  return {
    clientOrderId,
    symbol: Symbol(symbol),
    side: 'buy',
    type: 'market',
    timeInForce: 'day',
    notional: Money.parse(notional),
  };
}

export function limitOrder(
  side: 'buy' | 'sell',
  symbol: string,
  qty: string,
  limit: string,
  clientOrderId = cid(),
): OrderRequest {
  return {
    clientOrderId,
    symbol: Symbol(symbol),
    side,
    type: 'limit',
    timeInForce: 'day',
    qty: Quantity.parse(qty),
    limitPrice: Price.parse(limit),
  };
}
