import {
  type ClientOrderId,
  lazySchema,
  type Money,
  type Price,
  type Quantity,
  type RunId,
  type Side,
  type StrategyId,
  type Symbol,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/** A fill of the per-strategy flow: one strategy's order, in its own ledger partition. */
export interface StrategyTrade {
  readonly strategyId: StrategyId;
  readonly strategyName: string;
  readonly orderId: string;
  readonly clientOrderId: ClientOrderId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly filledQty: Quantity;
  readonly fillPrice: Price;
  readonly fees: Money;
  readonly runId: RunId;
  /** The strategy's capital when the run planned the trade. */
  readonly strategyCapital: Money;
  /** ISO-8601 instants; stored canonical (`…sss Z`). */
  readonly submittedAt: string;
  readonly filledAt: string;
}

const StrategyTradeSchema = lazySchema(() =>
  z
    .object({
      strategy_id: field.strategyId,
      strategy_name: z.string(),
      order_id: field.orderId,
      client_order_id: field.clientOrderId,
      symbol: field.symbol,
      side: field.side,
      filled_qty: field.quantity,
      fill_price: field.price,
      fees: field.money,
      run_id: field.runId,
      strategy_capital: field.money,
      submitted_at: field.instant,
      filled_at: field.instant,
    })
    .transform(
      (r): StrategyTrade => ({
        strategyId: r.strategy_id,
        strategyName: r.strategy_name,
        orderId: r.order_id,
        clientOrderId: r.client_order_id,
        symbol: r.symbol,
        side: r.side,
        filledQty: r.filled_qty,
        fillPrice: r.fill_price,
        fees: r.fees,
        runId: r.run_id,
        strategyCapital: r.strategy_capital,
        submittedAt: r.submitted_at,
        filledAt: r.filled_at,
      }),
    ),
);

export function encodeStrategyTrade(t: StrategyTrade): Item {
  return toItem({
    ...keys.strategyTrade(t.strategyId, t.orderId),
    ...keys.strategyTradeGsi1(t.strategyId, t.filledAt, t.orderId),
    entity: 'TRADE',
    strategy_id: t.strategyId,
    strategy_name: t.strategyName,
    order_id: t.orderId,
    client_order_id: t.clientOrderId,
    symbol: t.symbol,
    side: t.side,
    filled_qty: t.filledQty.toString(),
    fill_price: t.fillPrice.toString(),
    fees: t.fees.toString(),
    run_id: t.runId,
    strategy_capital: t.strategyCapital.toString(),
    submitted_at: canonicalInstant(t.submittedAt, 'submittedAt'),
    filled_at: canonicalInstant(t.filledAt, 'filledAt'),
  });
}

export function decodeStrategyTrade(item: Item): StrategyTrade {
  return decodeItem(StrategyTradeSchema(), item, 'trade');
}
