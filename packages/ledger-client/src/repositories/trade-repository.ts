import { LEGACY, type StrategyId, ValidationError } from '@books/core';
import { canonicalInstant } from '../instant';
import { keys, LEGACY_TRADES_PARTITION, SK_PREFIX, strategyTradesPartition } from '../keys';
import { ABSENT, type LedgerTable, type TransactItem } from '../ledger-table';
import { decodeLegacyTrade, encodeLegacyTrade, type LegacyTrade } from '../records/legacy-trade';
import { decodeStrategyTrade, encodeStrategyTrade, type StrategyTrade } from '../records/trade';

/** Half-open time range `[from, to)` of fill instants; either end may be open. */
export interface TimeRange {
  readonly from?: string;
  readonly to?: string;
}

/** Trades: per-strategy (`STRATEGY#{sid}#TRADE#{orderId}`, listed via GSI1) and legacy (`TRADE#{orderId}`). */
export class TradeRepository {
  constructor(private readonly table: LedgerTable) {}

  /** The trade's put for a fill transaction; it fails if the order is already recorded. */
  putItem(trade: StrategyTrade): TransactItem {
    return {
      kind: 'put',
      label: `trade ${trade.orderId}`,
      item: encodeStrategyTrade(trade),
      condition: ABSENT,
    };
  }

  legacyPutItem(trade: LegacyTrade): TransactItem {
    return {
      kind: 'put',
      label: `legacy trade ${trade.orderId}`,
      item: encodeLegacyTrade(trade),
      condition: ABSENT,
    };
  }

  /** Records a trade unless its order is already recorded; returns whether it wrote. */
  put(trade: StrategyTrade): Promise<boolean> {
    return this.table.putIfAbsent(encodeStrategyTrade(trade));
  }

  putLegacy(trade: LegacyTrade): Promise<boolean> {
    return this.table.putIfAbsent(encodeLegacyTrade(trade));
  }

  async get(strategyId: StrategyId, orderId: string): Promise<StrategyTrade | undefined> {
    const item = await this.table.getItem(keys.strategyTrade(strategyId, orderId));
    return item && decodeStrategyTrade(item);
  }

  async getLegacy(orderId: string): Promise<LegacyTrade | undefined> {
    const item = await this.table.getItem(keys.legacyTrade(orderId));
    return item && decodeLegacyTrade(item);
  }

  /**
   * Every trade of a strategy filled within `range`, oldest first, across all GSI1 pages.
   * GSI1 is eventually consistent: a trade written a moment ago may be missing.
   */
  async listByStrategy(
    strategyId: StrategyId,
    range: TimeRange = {},
    options: { pageSize?: number } = {},
  ): Promise<StrategyTrade[]> {
    const items = await this.table.queryAll({
      index: 'GSI1',
      partition: strategyTradesPartition(strategyId),
      sort: { between: tradeRange(range) },
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
    // BETWEEN is inclusive; a trade filled exactly at `to` has a longer key and falls outside.
    return items.map(decodeStrategyTrade);
  }

  /** Every legacy (merged-flow) trade filled within `range`, oldest first (GSI1, eventually consistent). */
  async listLegacy(range: TimeRange = {}): Promise<LegacyTrade[]> {
    const items = await this.table.queryAll({
      index: 'GSI1',
      partition: LEGACY_TRADES_PARTITION,
      sort: { between: tradeRange(range) },
    });
    return items.map(decodeLegacyTrade);
  }

  /**
   * A book's fills within `range`: the legacy book's are legacy trades (`TRADE#{orderId}`), any
   * other book's are in its own partition.
   */
  async listBookFills(
    strategyId: StrategyId,
    range: TimeRange = {},
  ): Promise<(StrategyTrade | LegacyTrade)[]> {
    return strategyId === LEGACY ? this.listLegacy(range) : this.listByStrategy(strategyId, range);
  }
}

function tradeRange(range: TimeRange): [string, string] {
  const from =
    range.from === undefined ? SK_PREFIX.trade : `${SK_PREFIX.trade}${canonicalInstant(range.from, 'from')}`;
  // '~' sorts after every character of an instant: an open end takes every trade.
  const to =
    range.to === undefined ? `${SK_PREFIX.trade}~` : `${SK_PREFIX.trade}${canonicalInstant(range.to, 'to')}`;
  if (from > to)
    throw new ValidationError(`trade range: from ${range.from} is after to ${range.to}`, [
      { path: 'range', message: 'from must not be after to' },
    ]);
  return [from, to];
}
