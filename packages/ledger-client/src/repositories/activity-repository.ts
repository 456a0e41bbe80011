import type { StrategyId } from '@books/core';
import { applyPosting, type BookPosting } from '@books/portfolio';
import { type LoadedBook, lotChangeItem } from '../book-projection';
import { ConditionFailedError, TransactionConditionError } from '../errors';
import { ACTIVITIES_PARTITION, keys, SK_PREFIX } from '../keys';
import { ABSENT, type LedgerTable, MAX_TRANSACTION_ITEMS, type TransactItem } from '../ledger-table';
import { decodeActivity, encodeActivity, encodeBookActivity, type StoredActivity } from '../records/activity';
import { encodePoolEntry, type StoredPoolEntry } from '../records/pool';
import type { BookRepository } from './book-repository';
import { poolMoveItem } from './pool-repository';

/** One book's share of an activity: the book as read (it must exist) and what is posted to it. */
export interface BookShare {
  readonly strategyId: StrategyId;
  readonly loaded: LoadedBook;
  readonly posting: BookPosting;
}

/**
 * The broker's non-trade activities on the ledger. Each activity id is written once
 * (`ACTIVITIES` / `ACTIVITY#{id}`, absent-condition) in the same transaction as everything it
 * posts, so a retry, a redelivery or a second ingestion running at the same time posts nothing
 * twice:
 *
 *   ingestion A: read books ─ plan ─ transact[ACTIVITY#x absent, book items, cash@v] ─ posted
 *   ingestion B: read books ─ plan ─ transact[ACTIVITY#x absent, …] ─ cancelled on #0 ─ already-posted
 *
 * A book's cash is updated at the version read: a fill landing in between cancels the
 * transaction (TransactionConditionError on the cash), and the caller reads and plans again.
 */
export class ActivityRepository {
  constructor(
    private readonly table: LedgerTable,
    private readonly books: BookRepository,
  ) {}

  /** Every activity ingested so far (strongly consistent), oldest id first. */
  async list(): Promise<StoredActivity[]> {
    const items = await this.table.queryAll({
      partition: ACTIVITIES_PARTITION,
      sort: { beginsWith: SK_PREFIX.activity },
      consistent: true,
    });
    return items.map(decodeActivity);
  }

  async get(activityId: string): Promise<StoredActivity | undefined> {
    const item = await this.table.getItem(keys.activity(activityId), { consistent: true });
    return item && decodeActivity(item);
  }

  /**
   * Posts an activity (with the other rows of its group) to the books: per book its posting item,
   * its lot changes and its cash at the version read, all in one transaction with the activity
   * items. `already-posted` when an activity item of the group exists; `too-large` (nothing
   * written) when it would take more writes than one transaction holds.
   */
  async postToBooks(
    activities: readonly StoredActivity[],
    shares: readonly BookShare[],
  ): Promise<'posted' | 'already-posted' | 'too-large'> {
    const items: TransactItem[] = activities.map((a) => activityItem(a));
    for (const share of shares) {
      const { loaded, posting, strategyId } = share;
      if (loaded.version === undefined)
        throw new Error(`activity ${posting.id}: book ${strategyId} has no cash item to post to`);
      const applied = applyPosting(loaded.book, posting);
      items.push(
        {
          kind: 'put',
          label: `book activity ${strategyId} ${posting.id}`,
          item: encodeBookActivity({ strategyId, activityId: posting.id, posting }),
          condition: ABSENT,
        },
        ...applied.changes.map((c) => lotChangeItem(this.books, strategyId, c)),
        this.books.cashUpdateItem(
          {
            strategyId,
            cash: applied.book.cash,
            realizedPnl: applied.book.realizedPnl,
            updatedAt: posting.at,
          },
          loaded.version,
        ),
      );
    }
    if (items.length > MAX_TRANSACTION_ITEMS) return 'too-large';
    return this.write(items, activities.length);
  }

  /**
   * Posts an account-level activity to the pool: the activity item, the pool entry and the pool's
   * move in one transaction. `pool-short` when the pool holds less than an outflow takes.
   */
  async postToPool(
    activity: StoredActivity,
    entry: StoredPoolEntry,
  ): Promise<'posted' | 'already-posted' | 'pool-short'> {
    const items: TransactItem[] = [
      activityItem(activity),
      { kind: 'put', label: `pool entry ${entry.id}`, item: encodePoolEntry(entry), condition: ABSENT },
      poolMoveItem(entry.amount, entry.at),
    ];
    try {
      return await this.write(items, 2);
    } catch (e) {
      if (e instanceof TransactionConditionError && e.failures.some((f) => f.index === 2))
        return 'pool-short';
      throw e;
    }
  }

  /** Records an activity that posts nothing (pending for the operator, or before the ledger), once. */
  async record(activity: StoredActivity): Promise<'recorded' | 'already-posted'> {
    return (await this.table.putIfAbsent(encodeActivity(activity))) ? 'recorded' : 'already-posted';
  }

  /**
   * Marks a pending activity resolved by the operator (who repaired the books with `books adjust`),
   * only if it is still pending: false otherwise.
   */
  async resolve(activityId: string, note: string, at: string): Promise<boolean> {
    const current = await this.get(activityId);
    if (current?.outcome !== 'pending') return false;
    try {
      await this.table.put(encodeActivity({ ...current, outcome: 'resolved', resolvedAt: at, note }), {
        expression: '#outcome = :pending',
        names: { '#outcome': 'outcome' },
        values: { ':pending': { S: 'pending' } },
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailedError) return false;
      throw e;
    }
  }

  private async write(items: readonly TransactItem[], guarded: number): Promise<'posted' | 'already-posted'> {
    try {
      await this.table.transact(items);
      return 'posted';
    } catch (e) {
      if (e instanceof TransactionConditionError && e.failures.some((f) => f.index < guarded))
        return 'already-posted';
      throw e;
    }
  }
}

function activityItem(a: StoredActivity): TransactItem {
  return { kind: 'put', label: `activity ${a.activityId}`, item: encodeActivity(a), condition: ABSENT };
}
