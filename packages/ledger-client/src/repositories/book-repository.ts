import { ConcurrencyError, LEGACY, lazySchema, type StrategyId, type Symbol } from '@books/core';
import * as z from 'zod';
import { type Item } from '../attribute-codec';
import { CorruptItemError, TransactionConflictError } from '../errors';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import {
  BOOKS_PARTITION,
  CASH,
  keys,
  LEGACY_TRADES_PARTITION,
  SK_PREFIX,
  strategyTradesPartition,
} from '../keys';
import { ABSENT, type LedgerTable, PRESENT, type TransactItem, versionedUpdate } from '../ledger-table';
import { decodeBookActivity, type StoredBookActivity } from '../records/activity';
import { cashFields, decodeCash, encodeCash, type StoredCash } from '../records/cash';
import { decodeItem } from '../records/decode';
import { decodeLot, encodeLot, type StoredLot } from '../records/lot';
import { decodeTransfer, encodeTransfer, type StoredTransfer } from '../records/transfer';
import { MAX_TRANSACT_GET_ITEMS, transactGetItems } from '../transact-get';

/**
 * A strategy's book as stored: its lots (FIFO order per symbol), its cash with version, its
 * transfers, and the fills it has applied (the order ids of its trades).
 */
export interface StoredBook {
  readonly strategyId: StrategyId;
  readonly lots: readonly StoredLot[];
  readonly cash: StoredCash;
  readonly transfers: readonly StoredTransfer[];
  /** The broker activities posted to the book (dividends, splits, symbol changes), in id order. */
  readonly activities: readonly StoredBookActivity[];
  /**
   * The order ids of the book's trades (its fills: a strategy's own trades, the legacy trades for
   * LEGACY). A full read (no `fills` option) lists them all from GSI1, which is eventually
   * consistent, so a fill recorded a moment ago may be missing. A read for `fills` holds those of
   * them the book has applied, read strongly consistently, and no other. Either way the trade
   * item's absent-condition in the fill's transaction stays the guard.
   */
  readonly fillIds: readonly string[];
}

/**
 * What a book read includes besides the book's current state (lots, cash, transfers, activities).
 * Without `fills`, every fill id of the book's history (O(its trades)); with `fills`, only which of
 * those fill ids (order ids) the book has applied: one strongly consistent item read each, O(1) in
 * the book's history. A writer about to apply fills passes their ids; a reader that does not apply
 * fills passes none (`fills: []`).
 */
export interface BookReadOptions {
  readonly fills?: readonly string[];
}

/** The key of a lot within its book. */
export interface LotRef {
  readonly strategyId: StrategyId;
  readonly symbol: Symbol;
  readonly openedAt: string;
  readonly orderId: string;
}

const READ_ATTEMPTS = 5;

const BookIdSchema = lazySchema(() =>
  z.object({ strategy_id: field.strategyId }).transform((b) => b.strategy_id),
);

const FillIdSchema = lazySchema(() => z.object({ order_id: field.orderId }).transform((t) => t.order_id));

/** The trade item that records fill `orderId` of a book: the book's own trade, or a legacy trade. */
function tradeKey(strategyId: StrategyId, orderId: string) {
  return strategyId === LEGACY ? keys.legacyTrade(orderId) : keys.strategyTrade(strategyId, orderId);
}

/** The first version a book's cash item has. */
export const FIRST_CASH_VERSION = 1;

/** Books (`STRATEGY#{sid}#BOOK`): lots, cash (versioned) and capital transfers. */
export class BookRepository {
  constructor(private readonly table: LedgerTable) {}

  /**
   * Reads a whole book — lots, cash with its version, transfers — with strongly consistent reads
   * of its one partition (all pages). A query is not isolated from transactions, so the cash
   * version is read again afterwards; if a write landed in between, the read is retried.
   * Contract: every write to a book's lots or transfers bumps its cash version in the same
   * transaction (as a fill does). The fill ids are read between the two, so a fill recorded
   * meanwhile is caught by the version check as well; the few fills of a writer (`options.fills`)
   * are read with the cash in one transactional read instead (one instant: a fill recorded before
   * it shows in both, one after it in neither). Returns undefined only when the book has no item
   * at all; a failed read throws, never returning an empty book. `options.fills` bounds the fill
   * ids read (BookReadOptions).
   */
  async readBook(strategyId: StrategyId, options: BookReadOptions = {}): Promise<StoredBook | undefined> {
    const fills = options.fills && [...new Set(options.fills)];
    const together = fills !== undefined && fills.length > 0 && fills.length < MAX_TRANSACT_GET_ITEMS;
    for (let attempt = 1; ; attempt++) {
      const book = await this.readBookOnce(strategyId, together ? { fills: [] } : options);
      if (book === undefined) return undefined;
      if (together) {
        const after = await this.cashWithFills(strategyId, fills);
        if (after?.version === book.cash.version) return { ...book, fillIds: after.applied };
      } else {
        const after = await this.cash(strategyId);
        if (after?.version === book.cash.version) return book;
      }
      if (attempt >= READ_ATTEMPTS)
        throw new ConcurrencyError(`book ${strategyId} kept changing while being read`, {
          strategyId,
          attempts: attempt,
        });
    }
  }

  private async readBookOnce(
    strategyId: StrategyId,
    options: BookReadOptions,
  ): Promise<StoredBook | undefined> {
    const items = await this.table.queryAll({ partition: keys.book(strategyId), consistent: true });
    if (items.length === 0) return undefined;
    const lots: StoredLot[] = [];
    const transfers: StoredTransfer[] = [];
    const activities: StoredBookActivity[] = [];
    let cash: StoredCash | undefined;
    for (const item of items) {
      const sk = item.SK?.S ?? '';
      if (sk === CASH) cash = decodeCash(item);
      else if (sk.startsWith(SK_PREFIX.lot)) lots.push(decodeLot(item));
      else if (sk.startsWith(SK_PREFIX.transfer)) transfers.push(decodeTransfer(item));
      else if (sk.startsWith(SK_PREFIX.activity)) activities.push(decodeBookActivity(item));
      else throw unknownItem(strategyId, item);
    }
    if (cash === undefined)
      throw new CorruptItemError(`book ${strategyId} has ${items.length} items but no CASH item`, {
        strategyId,
      });
    return {
      strategyId,
      lots,
      cash,
      transfers,
      activities,
      fillIds:
        options.fills === undefined
          ? await this.fillIds(strategyId)
          : await this.appliedFills(strategyId, options.fills),
    };
  }

  /** Which of `fillIds` (order ids) the book has applied: its trade item exists (consistent reads). */
  async appliedFills(strategyId: StrategyId, fillIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(fillIds)];
    const found = await Promise.all(
      unique.map(
        async (orderId) =>
          (await this.table.getItem(tradeKey(strategyId, orderId), { consistent: true })) !== undefined,
      ),
    );
    return unique.filter((_, i) => found[i]);
  }

  /**
   * The book's cash version and which of `fillIds` (unique) it has applied, as of one instant
   * (TransactGetItems); undefined when a transaction in flight on them cancelled the read.
   */
  private async cashWithFills(
    strategyId: StrategyId,
    fillIds: readonly string[],
  ): Promise<{ readonly version: number | undefined; readonly applied: string[] } | undefined> {
    try {
      const [cash, ...trades] = await transactGetItems(this.table, [
        keys.cash(strategyId),
        ...fillIds.map((orderId) => tradeKey(strategyId, orderId)),
      ]);
      return {
        version: cash && decodeCash(cash).version,
        applied: fillIds.filter((_, i) => trades[i] !== undefined),
      };
    } catch (e) {
      if (e instanceof TransactionConflictError) return undefined;
      throw e;
    }
  }

  /** The order ids of the book's trades (GSI1, all pages, the order id alone of each). */
  async fillIds(strategyId: StrategyId): Promise<string[]> {
    const items = await this.table.queryAll({
      index: 'GSI1',
      partition: strategyId === LEGACY ? LEGACY_TRADES_PARTITION : strategyTradesPartition(strategyId),
      sort: { beginsWith: SK_PREFIX.trade },
      attributes: ['PK', 'SK', 'order_id'],
    });
    return items.map((item) => decodeItem(FillIdSchema(), item, `trade of book ${strategyId}`));
  }

  /**
   * The id of every book that exists on the ledger (its cash item is listed in GSI1 partition
   * `BOOKS`), configured or not: LEGACY and EXTERNAL included, sorted. GSI1 is eventually
   * consistent: a book opened a moment ago may be missing.
   */
  async bookIds(): Promise<StrategyId[]> {
    const items = await this.table.queryAll({
      index: 'GSI1',
      partition: BOOKS_PARTITION,
      sort: { beginsWith: SK_PREFIX.book },
      attributes: ['PK', 'SK', 'strategy_id'],
    });
    return items.map((item) => decodeItem(BookIdSchema(), item, 'book of the books index')).sort();
  }

  async lots(strategyId: StrategyId): Promise<StoredLot[]> {
    const items = await this.table.queryAll({
      partition: keys.book(strategyId),
      sort: { beginsWith: SK_PREFIX.lot },
      consistent: true,
    });
    return items.map(decodeLot);
  }

  async transfers(strategyId: StrategyId): Promise<StoredTransfer[]> {
    const items = await this.table.queryAll({
      partition: keys.book(strategyId),
      sort: { beginsWith: SK_PREFIX.transfer },
      consistent: true,
    });
    return items.map(decodeTransfer);
  }

  /** The broker activities posted to the book (strongly consistent). */
  async activities(strategyId: StrategyId): Promise<StoredBookActivity[]> {
    const items = await this.table.queryAll({
      partition: keys.book(strategyId),
      sort: { beginsWith: SK_PREFIX.activity },
      consistent: true,
    });
    return items.map(decodeBookActivity);
  }

  async cash(strategyId: StrategyId): Promise<StoredCash | undefined> {
    const item = await this.table.getItem(keys.cash(strategyId), { consistent: true });
    return item && decodeCash(item);
  }

  /** Opens a book: its cash item at FIRST_CASH_VERSION; fails if the book already has cash. */
  openCashItem(cash: Omit<StoredCash, 'version'>): TransactItem {
    return {
      kind: 'put',
      label: `cash ${cash.strategyId} (open)`,
      item: encodeCash({ ...cash, version: FIRST_CASH_VERSION }),
      condition: ABSENT,
    };
  }

  /** Sets the book's cash, only if it is still at `expectedVersion` (optimistic concurrency). */
  cashUpdateItem(cash: Omit<StoredCash, 'version'>, expectedVersion: number): TransactItem {
    return versionedUpdate(
      `cash ${cash.strategyId}`,
      keys.cash(cash.strategyId),
      expectedVersion,
      cashFields(cash),
    );
  }

  /** Sets the book's cash if it is at `expectedVersion`; returns the new version, else VersionConflictError. */
  updateCash(cash: Omit<StoredCash, 'version'>, expectedVersion: number): Promise<number> {
    return this.table.updateWithVersion(keys.cash(cash.strategyId), expectedVersion, cashFields(cash));
  }

  /** A new lot; fails if a lot with its key exists. */
  openLotItem(lot: StoredLot): TransactItem {
    return { kind: 'put', label: `lot ${lotLabel(lot)} (open)`, item: encodeLot(lot), condition: ABSENT };
  }

  /** A lot partly closed: replaces its open quantity and cost; fails if the lot is gone. */
  replaceLotItem(lot: StoredLot): TransactItem {
    return { kind: 'put', label: `lot ${lotLabel(lot)} (reduce)`, item: encodeLot(lot), condition: PRESENT };
  }

  /** A lot fully closed; fails if the lot is already gone. */
  closeLotItem(lot: LotRef): TransactItem {
    return {
      kind: 'delete',
      label: `lot ${lotLabel(lot)} (close)`,
      key: keys.lot(lot.strategyId, lot.symbol, lot.openedAt, lot.orderId),
      condition: PRESENT,
    };
  }

  /** A capital transfer; fails if its id was already recorded at that instant. */
  transferItem(transfer: StoredTransfer): TransactItem {
    return {
      kind: 'put',
      label: `transfer ${transfer.id}`,
      item: encodeTransfer(transfer),
      condition: ABSENT,
    };
  }
}

function lotLabel(lot: LotRef): string {
  return `${lot.strategyId} ${lot.symbol} ${canonicalInstant(lot.openedAt)} ${lot.orderId}`;
}

function unknownItem(strategyId: StrategyId, item: Item): CorruptItemError {
  return new CorruptItemError(`book ${strategyId} holds an unknown item ${item.SK?.S ?? '(no SK)'}`, {
    strategyId,
    SK: item.SK?.S,
  });
}
