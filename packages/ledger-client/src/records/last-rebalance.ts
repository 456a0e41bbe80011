import {
  lazySchema,
  type RunId,
  RunIdSchema,
  type StrategyId,
  type TradingDate,
  TradingDateSchema,
  type Weight,
  WeightSchema,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { lastRebalanceKey } from '../keys';
import type { LedgerTable } from '../ledger-table';

/**
 * A book's last rebalance (`STRATEGY#{sid}#REBALANCE` / `LAST`): the trading day and run of the
 * book's latest plan on a day its rebalance schedule was due (its first investment: a plan with
 * trades). Written in that plan's transaction, so once per (run, book); the anchor of
 * `:rebalance-frequency` (portfolio `isDue`). A day with no recorded plan (no run, a failed
 * strategy) leaves it, so a later day of the period catches up. `allocation` is the book's
 * allocation that day: another allocation later makes the book due (absent on items written
 * before it was recorded).
 */
export interface LastRebalance {
  readonly runId: RunId;
  readonly tradingDate: TradingDate;
  readonly allocation?: Weight;
}

const LastRebalanceItemSchema = lazySchema(() =>
  z.object({
    run_id: z.object({ S: RunIdSchema }),
    trading_date: z.object({ S: TradingDateSchema }),
    allocation: z.object({ S: WeightSchema }).optional(),
  }),
);

export function encodeLastRebalance(
  strategyId: StrategyId,
  last: LastRebalance & { readonly at: string },
): Item {
  return toItem({
    ...lastRebalanceKey(strategyId),
    entity: 'LAST_REBALANCE',
    strategy_id: strategyId,
    run_id: last.runId,
    trading_date: last.tradingDate,
    allocation: last.allocation?.toString(),
    updated_at: last.at,
  });
}

export function decodeLastRebalance(item: Item): LastRebalance {
  const parsed = LastRebalanceItemSchema().safeParse(item);
  if (!parsed.success)
    throw new CorruptItemError(`last rebalance ${item.PK?.S ?? '?'}: ${parsed.error.message}`, {
      PK: item.PK?.S,
      SK: item.SK?.S,
    });
  const allocation = parsed.data.allocation?.S;
  return {
    runId: parsed.data.run_id.S,
    tradingDate: parsed.data.trading_date.S,
    ...(allocation ? { allocation } : {}),
  };
}

/** The book's last rebalance (strongly consistent), or undefined when it never rebalanced. */
export async function readLastRebalance(
  table: LedgerTable,
  strategyId: StrategyId,
): Promise<LastRebalance | undefined> {
  const item = await table.getItem(lastRebalanceKey(strategyId), { consistent: true });
  return item && decodeLastRebalance(item);
}
