import {
  type ClientOrderId,
  lazySchema,
  type Money,
  type Price,
  type Quantity,
  type RunId,
  type Side,
  StrategyId,
  type Symbol,
  type Weight,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/** A fill of the legacy (merged) flow, attributed to strategies by weight. */
export interface LegacyTrade {
  readonly orderId: string;
  readonly clientOrderId: ClientOrderId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly filledQty: Quantity;
  readonly fillPrice: Price;
  readonly fees: Money;
  readonly runId: RunId;
  readonly submittedAt: string;
  readonly filledAt: string;
  readonly strategyNames: readonly string[];
  /** Attribution: each strategy's share of the trade. */
  readonly strategyWeights: readonly { readonly strategyId: StrategyId; readonly weight: Weight }[];
  /** A SELL's realized P&L in the legacy book (FIFO), the base of per-strategy attribution. */
  readonly realizedPnl?: Money;
}

const LegacyTradeSchema = lazySchema(() =>
  z
    .object({
      order_id: field.orderId,
      client_order_id: field.clientOrderId,
      symbol: field.symbol,
      side: field.side,
      filled_qty: field.quantity,
      fill_price: field.price,
      fees: field.money,
      run_id: field.runId,
      submitted_at: field.instant,
      filled_at: field.instant,
      strategy_names: z.array(z.string()),
      strategy_weights: z.record(field.strategyId, field.weight),
      realized_pnl: field.money.optional(),
    })
    .transform(
      (r): LegacyTrade => ({
        orderId: r.order_id,
        clientOrderId: r.client_order_id,
        symbol: r.symbol,
        side: r.side,
        filledQty: r.filled_qty,
        fillPrice: r.fill_price,
        fees: r.fees,
        runId: r.run_id,
        submittedAt: r.submitted_at,
        filledAt: r.filled_at,
        strategyNames: r.strategy_names,
        strategyWeights: Object.entries(r.strategy_weights)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([sid, weight]) => ({ strategyId: StrategyId(sid), weight })),
        ...(r.realized_pnl ? { realizedPnl: r.realized_pnl } : {}),
      }),
    ),
);

export function encodeLegacyTrade(t: LegacyTrade): Item {
  return toItem({
    ...keys.legacyTrade(t.orderId),
    ...keys.legacyTradeGsi1(t.filledAt, t.orderId),
    entity: 'LEGACY_TRADE',
    order_id: t.orderId,
    client_order_id: t.clientOrderId,
    symbol: t.symbol,
    side: t.side,
    filled_qty: t.filledQty.toString(),
    fill_price: t.fillPrice.toString(),
    fees: t.fees.toString(),
    run_id: t.runId,
    submitted_at: canonicalInstant(t.submittedAt, 'submittedAt'),
    filled_at: canonicalInstant(t.filledAt, 'filledAt'),
    strategy_names: [...t.strategyNames],
    strategy_weights: Object.fromEntries(t.strategyWeights.map((w) => [w.strategyId, w.weight.toString()])),
    ...(t.realizedPnl ? { realized_pnl: t.realizedPnl.toString() } : {}),
  });
}

export function decodeLegacyTrade(item: Item): LegacyTrade {
  return decodeItem(LegacyTradeSchema(), item, 'legacy trade');
}
