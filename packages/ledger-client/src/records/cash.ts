import { lazySchema, type Money, type StrategyId } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/** A book's cash and realized P&L; `version` increases by one with every write (optimistic concurrency). */
export interface StoredCash {
  readonly strategyId: StrategyId;
  readonly cash: Money;
  readonly realizedPnl: Money;
  readonly version: number;
  readonly updatedAt: string;
}

const CashSchema = lazySchema(() =>
  z
    .object({
      strategy_id: field.strategyId,
      cash: field.money,
      realized_pnl: field.money,
      version: field.count,
      updated_at: field.instant,
    })
    .transform(
      (r): StoredCash => ({
        strategyId: r.strategy_id,
        cash: r.cash,
        realizedPnl: r.realized_pnl,
        version: r.version,
        updatedAt: r.updated_at,
      }),
    ),
);

export function encodeCash(c: StoredCash): Item {
  return toItem({
    ...keys.cash(c.strategyId),
    entity: 'CASH',
    ...cashFields(c),
    version: c.version,
  });
}

/**
 * The attributes a cash update sets (everything but keys and version), with the book's GSI1 entry
 * in the list of books: every cash write (the book's opening, each update) keeps the book listed.
 */
export function cashFields(c: Omit<StoredCash, 'version'>) {
  return {
    ...keys.bookIndexGsi1(c.strategyId),
    strategy_id: c.strategyId,
    cash: c.cash.toString(),
    realized_pnl: c.realizedPnl.toString(),
    updated_at: canonicalInstant(c.updatedAt, 'updatedAt'),
  };
}

export function decodeCash(item: Item): StoredCash {
  return decodeItem(CashSchema(), item, 'book cash');
}
