import type { Money, RunId, StrategyId } from '@books/core';
import { z } from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

export const TRANSFER_REASONS = ['funding', 'drift', 'target', 'migration', 'adjustment'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** Cash moved between a book and the unallocated pool: positive into the book, negative out. */
export interface StoredTransfer {
  readonly strategyId: StrategyId;
  readonly id: string;
  readonly amount: Money;
  readonly reason: TransferReason;
  readonly at: string;
  readonly runId?: RunId;
}

const TransferSchema = z
  .object({
    strategy_id: field.strategyId,
    transfer_id: z.string().min(1),
    amount: field.money,
    reason: z.enum(TRANSFER_REASONS),
    at: field.instant,
    run_id: field.runId.optional(),
  })
  .transform(
    (r): StoredTransfer => ({
      strategyId: r.strategy_id,
      id: r.transfer_id,
      amount: r.amount,
      reason: r.reason,
      at: r.at,
      ...(r.run_id !== undefined ? { runId: r.run_id } : {}),
    }),
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
  });
}

export function decodeTransfer(item: Item): StoredTransfer {
  return decodeItem(TransferSchema, item, 'transfer');
}
