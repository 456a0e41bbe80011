import {
  type ClientOrderId,
  lazySchema,
  type Money,
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
import { StatusSchema } from './run';

/**
 * An order intent of a run, keyed by its deterministic client order id. `state` belongs to the
 * execution package's transition table; the ledger conditions each transition on the current state.
 */
export interface OrderIntent {
  readonly runId: RunId;
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly leg: number;
  readonly qty: Quantity;
  /** For notional orders, the amount instead of (or beside) a quantity. */
  readonly notional?: Money;
  readonly state: string;
  readonly brokerOrderId?: string;
  readonly reason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const IntentSchema = lazySchema(() =>
  z
    .object({
      run_id: field.runId,
      client_order_id: field.clientOrderId,
      strategy_id: field.strategyId,
      symbol: field.symbol,
      side: field.side,
      leg: field.count,
      qty: field.quantity,
      notional: field.money.optional(),
      state: StatusSchema,
      broker_order_id: z.string().optional(),
      reason: z.string().optional(),
      created_at: field.instant,
      updated_at: field.instant,
    })
    .transform(
      (r): OrderIntent => ({
        runId: r.run_id,
        clientOrderId: r.client_order_id,
        strategyId: r.strategy_id,
        symbol: r.symbol,
        side: r.side,
        leg: r.leg,
        qty: r.qty,
        ...(r.notional !== undefined ? { notional: r.notional } : {}),
        state: r.state,
        ...(r.broker_order_id !== undefined ? { brokerOrderId: r.broker_order_id } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }),
    ),
);

export function encodeIntent(i: OrderIntent): Item {
  StatusSchema.parse(i.state);
  return toItem({
    ...keys.intent(i.runId, i.clientOrderId),
    entity: 'INTENT',
    run_id: i.runId,
    client_order_id: i.clientOrderId,
    strategy_id: i.strategyId,
    symbol: i.symbol,
    side: i.side,
    leg: i.leg,
    qty: i.qty.toString(),
    notional: i.notional?.toString(),
    state: i.state,
    broker_order_id: i.brokerOrderId,
    reason: i.reason,
    created_at: canonicalInstant(i.createdAt, 'createdAt'),
    updated_at: canonicalInstant(i.updatedAt, 'updatedAt'),
  });
}

export function decodeIntent(item: Item): OrderIntent {
  return decodeItem(IntentSchema(), item, 'intent');
}
