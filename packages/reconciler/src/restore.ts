import { createHash } from 'node:crypto';
import { type StrategyId, ValidationError } from '@books/core';
import {
  encodeAdjustmentAudit,
  fillOfTrade,
  loadBook,
  type TransactItem,
  transferOfStored,
} from '@books/ledger-client';
import { type Book, type Lot, rebuildBook } from '@books/portfolio';
import type { Services } from '@books/runtime';
import { AdjustmentRefused } from './adjust';

export interface RestoreResult {
  readonly id: string;
  readonly strategyId: StrategyId;
  readonly at: string;
  readonly reason: string;
  /** What the stored projection got back or lost, one line each. */
  readonly changes: readonly string[];
}

/**
 * Repairs a book whose stored projection no longer equals its ledger (a lot deleted or edited by
 * hand, cash overwritten): rebuilds the book from its trades and transfers — the authority — and
 * writes the stored lots and cash back to that, in ONE transaction conditional on the cash
 * version and on each lot's presence or absence, with an audit item carrying the human's reason
 * and every change. Adds no trade and no transfer: the ledger is not what was wrong. Refused
 * without a reason or when the stored book already equals the rebuild.
 */
export async function restoreBookFromLedger(
  services: Pick<Services, 'table' | 'books' | 'trades' | 'clock'>,
  strategyId: StrategyId,
  reason: string,
): Promise<RestoreResult> {
  const note = reason.trim();
  if (note.length === 0)
    throw new ValidationError('a restore needs a reason', [{ path: 'reason', message: 'empty' }]);
  const [loaded, stored, trades] = await Promise.all([
    loadBook(services.books, strategyId),
    services.books.readBook(strategyId),
    services.trades.listByStrategy(strategyId),
  ]);
  if (!loaded.exists || loaded.version === undefined || !stored)
    throw new AdjustmentRefused(`strategy ${strategyId} has no book to restore`, { strategyId });
  const rebuilt: Book = rebuildBook(
    strategyId,
    trades.map(fillOfTrade),
    stored.transfers.map(transferOfStored),
    stored.activities.map((a) => a.posting),
  );
  const at = services.clock.now().toISOString();
  const items: TransactItem[] = [];
  const changes: string[] = [];
  const current = new Map(loaded.book.lots.map((l) => [lotKey(l), l]));
  const wanted = new Map(rebuilt.lots.map((l) => [lotKey(l), l]));
  for (const [key, lot] of wanted) {
    const have = current.get(key);
    if (!have) {
      items.push(services.books.openLotItem({ strategyId, ...lot }));
      changes.push(`lot restored: ${lotText(lot)}`);
    } else if (
      !have.openQty.eq(lot.openQty) ||
      !have.cost.eq(lot.cost) ||
      !have.openPrice.eq(lot.openPrice)
    ) {
      items.push(services.books.replaceLotItem({ strategyId, ...lot }));
      changes.push(`lot corrected: ${lotText(have)} → ${lotText(lot)}`);
    }
  }
  for (const [key, lot] of current) {
    if (wanted.has(key)) continue;
    items.push(services.books.closeLotItem({ strategyId, ...lot }));
    changes.push(`lot removed (no trade explains it): ${lotText(lot)}`);
  }
  if (!loaded.book.cash.eq(rebuilt.cash)) changes.push(`cash ${loaded.book.cash} → ${rebuilt.cash}`);
  if (!loaded.book.realizedPnl.eq(rebuilt.realizedPnl))
    changes.push(`realized P&L ${loaded.book.realizedPnl} → ${rebuilt.realizedPnl}`);
  if (changes.length === 0)
    throw new AdjustmentRefused(`the book of ${strategyId} already equals its ledger: nothing to restore`, {
      strategyId,
    });
  const digest = createHash('sha256')
    .update(JSON.stringify([changes, note]))
    .digest('hex')
    .slice(0, 10);
  const id = `restore-${strategyId}-${at.replace(/[^0-9]/g, '')}-${digest}`;
  items.push(
    services.books.cashUpdateItem(
      { strategyId, cash: rebuilt.cash, realizedPnl: rebuilt.realizedPnl, updatedAt: at },
      loaded.version,
    ),
    {
      kind: 'put',
      label: `adjustment ${id}`,
      item: encodeAdjustmentAudit({ strategyId, id, kind: 'restore-from-ledger', note, changes, at }),
    },
  );
  await services.table.transact(items);
  return { id, strategyId, at, reason: note, changes };
}

function lotKey(l: Lot): string {
  return `${l.symbol}|${l.openedAt}|${l.orderId}`;
}

function lotText(l: Lot): string {
  return `${l.symbol} ${l.openQty} @ ${l.openPrice} (order ${l.orderId}, opened ${l.openedAt})`;
}
