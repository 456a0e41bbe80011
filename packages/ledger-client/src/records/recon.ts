import {
  lazySchema,
  type Quantity,
  type RunId,
  StrategyId,
  type Symbol,
  type TradingDate,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

export const RECON_STATUSES = ['MATCH', 'DRIFT', 'UNOWNED', 'PHANTOM'] as const;
export type ReconStatus = (typeof RECON_STATUSES)[number];

export interface ReconEntry {
  readonly symbol: Symbol;
  readonly status: ReconStatus;
  /** Σ of every book's quantity, EXTERNAL included. */
  readonly booksQty: Quantity;
  readonly brokerQty: Quantity;
  readonly byStrategy: readonly { readonly strategyId: StrategyId; readonly qty: Quantity }[];
}

/** One reconciliation of every book against the broker account. */
export interface ReconResult {
  readonly date: TradingDate;
  readonly at: string;
  readonly runId?: RunId;
  readonly entries: readonly ReconEntry[];
}

const ReconSchema = lazySchema(() =>
  z
    .object({
      date: field.tradingDate,
      at: field.instant,
      run_id: field.runId.optional(),
      entries: z.array(
        z.object({
          symbol: field.symbol,
          status: z.enum(RECON_STATUSES),
          books_qty: field.quantity,
          broker_qty: field.quantity,
          by_strategy: z.record(field.strategyId, field.quantity),
        }),
      ),
    })
    .transform(
      (r): ReconResult => ({
        date: r.date,
        at: r.at,
        ...(r.run_id !== undefined ? { runId: r.run_id } : {}),
        entries: r.entries.map((e) => ({
          symbol: e.symbol,
          status: e.status,
          booksQty: e.books_qty,
          brokerQty: e.broker_qty,
          byStrategy: Object.entries(e.by_strategy)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([sid, qty]) => ({ strategyId: StrategyId(sid), qty })),
        })),
      }),
    ),
);

export function encodeRecon(r: ReconResult): Item {
  return toItem({
    ...keys.reconResult(r.date, r.at),
    entity: 'RECON',
    date: r.date,
    at: canonicalInstant(r.at, 'at'),
    run_id: r.runId,
    entries: r.entries.map((e) => ({
      symbol: e.symbol,
      status: e.status,
      books_qty: e.booksQty.toString(),
      broker_qty: e.brokerQty.toString(),
      by_strategy: Object.fromEntries(e.byStrategy.map((s) => [s.strategyId, s.qty.toString()])),
    })),
  });
}

export function decodeRecon(item: Item): ReconResult {
  return decodeItem(ReconSchema(), item, 'reconciliation');
}
