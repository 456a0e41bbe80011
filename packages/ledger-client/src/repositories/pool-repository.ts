import type { Money } from '@books/core';
import { TransactionConditionError } from '../errors';
import { canonicalInstant } from '../instant';
import { keys, POOL_PARTITION, SK_PREFIX } from '../keys';
import { ABSENT, type LedgerTable, type TransactItem } from '../ledger-table';
import {
  decodePool,
  decodePoolEntry,
  encodePool,
  encodePoolEntry,
  type StoredPool,
  type StoredPoolEntry,
} from '../records/pool';

/**
 * The write that moves `delta` into the pool (negative: out of it), for a transaction that moves
 * the same cash the other way (a book's transfer) or posts an entry. Atomic (`ADD`), conditional
 * on the pool existing and, for an outflow, on the pool holding at least the amount: the pool never
 * goes below zero, whatever else runs at the same time.
 */
export function poolMoveItem(delta: Money, at: string, label = 'pool'): TransactItem {
  const debit = delta.isNegative();
  return {
    kind: 'update',
    label,
    key: keys.pool(),
    update: 'SET #updated = :at ADD #cash :delta',
    names: { '#updated': 'updated_at', '#cash': 'cash' },
    values: { ':at': { S: canonicalInstant(at, 'at') }, ':delta': { N: delta.toString() } },
    condition: debit
      ? {
          expression: 'attribute_exists(PK) AND #cash >= :need',
          names: { '#cash': 'cash' },
          values: { ':need': { N: delta.negated().toString() } },
        }
      : { expression: 'attribute_exists(PK)' },
  };
}

/** The unallocated pool: its balance and the entries posted to it from outside the books. */
export class PoolRepository {
  constructor(private readonly table: LedgerTable) {}

  /** The pool as stored (strongly consistent); undefined before it is opened. */
  async read(): Promise<StoredPool | undefined> {
    const item = await this.table.getItem(keys.pool());
    return item && decodePool(item);
  }

  /** Every entry posted to the pool (its opening, deposits, withdrawals, account activities), by id. */
  async entries(): Promise<StoredPoolEntry[]> {
    const items = await this.table.queryAll({
      partition: POOL_PARTITION,
      sort: { beginsWith: SK_PREFIX.poolEntry },
      consistent: true,
    });
    return items.map(decodePoolEntry);
  }

  /**
   * Opens the pool with `cash` (the account's cash that no book holds when the stage starts), once:
   * `exists` when it is already open (its balance is never reset). The opening is kept as an entry.
   */
  async open(cash: Money, at: string, note: string): Promise<'opened' | 'exists'> {
    try {
      await this.table.transact([
        {
          kind: 'put',
          label: 'pool',
          item: encodePool({ cash, openedAt: at, updatedAt: at }),
          condition: ABSENT,
        },
        {
          kind: 'put',
          label: 'pool opening',
          item: encodePoolEntry({ id: 'opening', kind: 'opening', amount: cash, at, note }),
          condition: ABSENT,
        },
      ]);
      return 'opened';
    } catch (e) {
      if (e instanceof TransactionConditionError) return 'exists';
      throw e;
    }
  }

  /**
   * Posts cash from outside the books to the pool (a deposit, a withdrawal, an account-level
   * activity), once per entry id: `already-posted` when that id was posted before. A withdrawal
   * larger than the pool is refused (a TransactionConditionError on the pool): the books' cash
   * cannot be withdrawn from under them.
   */
  async post(entry: StoredPoolEntry): Promise<'posted' | 'already-posted'> {
    try {
      await this.table.transact([
        { kind: 'put', label: `pool entry ${entry.id}`, item: encodePoolEntry(entry), condition: ABSENT },
        poolMoveItem(entry.amount, entry.at),
      ]);
      return 'posted';
    } catch (e) {
      if (e instanceof TransactionConditionError && e.failures.some((f) => f.index === 0))
        return 'already-posted';
      throw e;
    }
  }
}

/** A deposit (CSD) or withdrawal (CSW) of the broker, as the pool entry it posts (signed). */
export function cashActivityEntry(activity: {
  readonly id: string;
  readonly type: 'CSD' | 'CSW';
  /** The activity's net amount as the broker reports it; its sign is taken from the type. */
  readonly amount: Money;
  readonly at: string;
}): StoredPoolEntry {
  const magnitude = activity.amount.abs();
  return {
    id: activity.id,
    kind: activity.type === 'CSD' ? 'deposit' : 'withdrawal',
    amount: activity.type === 'CSD' ? magnitude : magnitude.negated(),
    at: activity.at,
  };
}
