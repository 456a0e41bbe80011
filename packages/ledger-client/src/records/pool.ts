import { lazySchema, type Money } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * The unallocated pool (`ACCOUNT#POOL` / `BALANCE`): the account's cash no book holds, an account
 * of the ledger with its own balance (never derived). `cash` is stored as a DynamoDB number (an
 * exact decimal) so that every transfer moves it with an atomic `ADD` under the condition that it
 * stays ≥ 0: concurrent workers never conflict on a version, and none can overdraw it.
 */
export interface StoredPool {
  readonly cash: Money;
  readonly openedAt: string;
  readonly updatedAt: string;
}

const PoolSchema = lazySchema(() =>
  z
    .object({ cash: field.money, opened_at: field.instant, updated_at: field.instant })
    .transform((r): StoredPool => ({ cash: r.cash, openedAt: r.opened_at, updatedAt: r.updated_at })),
);

export function encodePool(p: StoredPool): Item {
  return {
    ...toItem({
      ...keys.pool(),
      entity: 'POOL',
      opened_at: canonicalInstant(p.openedAt, 'openedAt'),
      updated_at: canonicalInstant(p.updatedAt, 'updatedAt'),
    }),
    cash: { N: p.cash.toString() },
  };
}

export function decodePool(item: Item): StoredPool {
  return decodeItem(PoolSchema(), item, 'pool');
}

export const POOL_ENTRY_KINDS = ['opening', 'deposit', 'withdrawal', 'activity'] as const;
export type PoolEntryKind = (typeof POOL_ENTRY_KINDS)[number];

/**
 * Cash posted to the pool from outside the books (`ACCOUNT#POOL` / `ENTRY#{id}`): a deposit (CSD),
 * a withdrawal (CSW) or another account-level activity, keyed by the broker's activity id so it is
 * posted once. `amount` is signed: positive into the pool.
 */
export interface StoredPoolEntry {
  readonly id: string;
  readonly kind: PoolEntryKind;
  readonly amount: Money;
  readonly at: string;
  readonly note?: string;
}

const PoolEntrySchema = lazySchema(() =>
  z
    .object({
      entry_id: z.string().min(1),
      kind: z.enum(POOL_ENTRY_KINDS),
      amount: field.money,
      at: field.instant,
      note: z.string().optional(),
    })
    .transform(
      (r): StoredPoolEntry => ({
        id: r.entry_id,
        kind: r.kind,
        amount: r.amount,
        at: r.at,
        ...(r.note !== undefined ? { note: r.note } : {}),
      }),
    ),
);

export function encodePoolEntry(e: StoredPoolEntry): Item {
  return toItem({
    ...keys.poolEntry(e.id),
    entity: 'POOL_ENTRY',
    entry_id: e.id,
    kind: e.kind,
    amount: e.amount.toString(),
    at: canonicalInstant(e.at, 'at'),
    note: e.note,
  });
}

export function decodePoolEntry(item: Item): StoredPoolEntry {
  return decodeItem(PoolEntrySchema(), item, 'pool entry');
}
