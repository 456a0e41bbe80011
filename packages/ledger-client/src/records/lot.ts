import { lazySchema, type Money, type Price, type Quantity, type StrategyId, type Symbol } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * An open FIFO lot of a strategy's book (the shape @books/portfolio's Lot has, plus its owner).
 * `cost` is the remaining cost basis of `openQty`, fees included.
 */
export interface StoredLot {
  readonly strategyId: StrategyId;
  readonly symbol: Symbol;
  readonly openedAt: string;
  readonly orderId: string;
  readonly openQty: Quantity;
  readonly openPrice: Price;
  readonly cost: Money;
}

const LotSchema = lazySchema(() =>
  z
    .object({
      strategy_id: field.strategyId,
      symbol: field.symbol,
      opened_at: field.instant,
      order_id: field.orderId,
      open_qty: field.quantity,
      open_price: field.price,
      cost: field.money,
    })
    .transform(
      (r): StoredLot => ({
        strategyId: r.strategy_id,
        symbol: r.symbol,
        openedAt: r.opened_at,
        orderId: r.order_id,
        openQty: r.open_qty,
        openPrice: r.open_price,
        cost: r.cost,
      }),
    ),
);

export function encodeLot(lot: StoredLot): Item {
  return toItem({
    ...keys.lot(lot.strategyId, lot.symbol, lot.openedAt, lot.orderId),
    entity: 'LOT',
    strategy_id: lot.strategyId,
    symbol: lot.symbol,
    opened_at: canonicalInstant(lot.openedAt, 'openedAt'),
    order_id: lot.orderId,
    open_qty: lot.openQty.toString(),
    open_price: lot.openPrice.toString(),
    cost: lot.cost.toString(),
  });
}

export function decodeLot(item: Item): StoredLot {
  return decodeItem(LotSchema(), item, 'lot');
}
