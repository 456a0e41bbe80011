import {
  InstantSchema,
  lazySchema,
  type Money,
  MoneySchema,
  type Price,
  PriceSchema,
  type Quantity,
  QuantitySchema,
  type RunId,
  type StrategyId,
  type Symbol,
  SymbolSchema,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

export const TRANSFER_REASONS = ['funding', 'drift', 'target', 'migration', 'adjustment'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** A lot as a transfer moves it in (the exact lot, cost basis carried over). */
export interface MovedLot {
  readonly symbol: Symbol;
  readonly openedAt: string;
  readonly orderId: string;
  readonly openQty: Quantity;
  readonly openPrice: Price;
  readonly cost: Money;
}

/** Positions a transfer moves: `in` opens the exact lot, `out` closes FIFO. */
export type StoredPositionMove =
  | { readonly direction: 'in'; readonly lot: MovedLot }
  | { readonly direction: 'out'; readonly symbol: Symbol; readonly qty: Quantity };

const PositionMoveSchema = lazySchema(() =>
  z.discriminatedUnion('direction', [
    z.object({
      direction: z.literal('in'),
      lot: z.object({
        symbol: SymbolSchema,
        openedAt: InstantSchema,
        orderId: z.string().min(1),
        openQty: QuantitySchema,
        openPrice: PriceSchema,
        cost: MoneySchema,
      }),
    }),
    z.object({ direction: z.literal('out'), symbol: SymbolSchema, qty: QuantitySchema }),
  ]),
);

/**
 * Cash moved between a book and the unallocated pool (or another book): positive into the book,
 * negative out; a migration's transfer also moves positions (`positions_json`).
 */
export interface StoredTransfer {
  readonly strategyId: StrategyId;
  readonly id: string;
  readonly amount: Money;
  readonly reason: TransferReason;
  readonly at: string;
  readonly runId?: RunId;
  readonly positions?: readonly StoredPositionMove[];
}

const TransferSchema = lazySchema(() =>
  z
    .object({
      strategy_id: field.strategyId,
      transfer_id: z.string().min(1),
      amount: field.money,
      reason: z.enum(TRANSFER_REASONS),
      at: field.instant,
      run_id: field.runId.optional(),
      positions_json: z
        .string()
        .transform((text, ctx) => {
          try {
            const parsed: unknown = JSON.parse(text);
            return parsed;
          } catch {
            ctx.addIssue({ code: 'custom', message: 'positions_json is not JSON' });
            return z.NEVER;
          }
        })
        .pipe(z.array(PositionMoveSchema()))
        .optional(),
    })
    .transform(
      (r): StoredTransfer => ({
        strategyId: r.strategy_id,
        id: r.transfer_id,
        amount: r.amount,
        reason: r.reason,
        at: r.at,
        ...(r.run_id !== undefined ? { runId: r.run_id } : {}),
        ...(r.positions_json !== undefined ? { positions: r.positions_json } : {}),
      }),
    ),
);

export function encodeTransfer(t: StoredTransfer): Item {
  return toItem({
    ...keys.transfer(t.strategyId, t.at, t.id),
    entity: 'TRANSFER',
    strategy_id: t.strategyId,
    transfer_id: t.id,
    amount: t.amount.toString(),
    reason: t.reason,
    at: canonicalInstant(t.at, 'at'),
    run_id: t.runId,
    ...(t.positions ? { positions_json: JSON.stringify(t.positions) } : {}),
  });
}

export function decodeTransfer(item: Item): StoredTransfer {
  return decodeItem(TransferSchema(), item, 'transfer');
}
