import { Money, type Price, type StrategyId, Symbol } from '@books/core';
import {
  loadBook,
  type StoredTransfer,
  type StrategyTrade,
  type TimeRange,
  toPortfolioBook,
} from '@books/ledger-client';
import { emptyBook, positionsOf, valueBook } from '@books/portfolio';
import type { Services } from '@books/runtime';

/**
 * Per-strategy queries over the ledger alone: the stored book (lots, cash, transfers) and the
 * strategy's trades (GSI1). Prices come in from the caller or, by default, from the broker.
 * Nothing here writes. (A book's check against its rebuild from the ledger is `verifyBook`, in
 * @books/reconciliation.)
 */

export interface PositionRow {
  readonly symbol: string;
  readonly qty: string;
  /** Remaining FIFO cost basis, buy fees included. */
  readonly cost: string;
  readonly avgCost: string;
  readonly lots: number;
}

export async function strategyPositions(services: Services, sid: StrategyId): Promise<PositionRow[]> {
  const { book } = await loadBook(services.books, sid);
  return positionsOf(book).map((p) => ({
    symbol: p.symbol,
    qty: p.qty.toString(),
    cost: p.cost.toString(),
    avgCost: p.avgCost.toString(),
    lots: book.lots.filter((l) => l.symbol === p.symbol).length,
  }));
}

export interface StrategyPnl {
  readonly strategyId: StrategyId;
  readonly exists: boolean;
  readonly positions: readonly {
    symbol: string;
    qty: string;
    cost: string;
    price: string;
    marketValue: Money;
    unrealizedPnl: Money;
  }[];
  readonly cash: Money;
  /** FIFO realized P&L as the book's cash item records it. */
  readonly realizedPnl: Money;
  readonly unrealizedPnl: Money;
  readonly marketValue: Money;
  /** Lots at mark + cash. */
  readonly equity: Money;
  /** Σ transfers into the book (funding and re-targeting; negative out). */
  readonly transfersTotal: Money;
  readonly transfers: readonly StoredTransfer[];
}

/** The broker's latest prices of the given symbols. */
export async function latestPrices(
  services: Services,
  symbols: readonly string[],
): Promise<Map<Symbol, Price>> {
  if (symbols.length === 0) return new Map();
  const quotes = await services.broker.getLatestPrices(symbols.map((s) => Symbol(s)));
  return new Map([...quotes].map(([s, q]) => [s, q.price]));
}

/**
 * Realized (from the cash item), unrealized at `prices` (default: the broker's latest), equity,
 * cash and transfers of one strategy. A held symbol without a price is a MissingPriceError.
 */
export async function strategyPnl(
  services: Services,
  sid: StrategyId,
  prices?: ReadonlyMap<Symbol, Price>,
): Promise<StrategyPnl> {
  // Valuing a book needs no applied fill ids: O(its current state), not of its trades.
  const stored = await services.books.readBook(sid, { fills: [] });
  const book = stored ? toPortfolioBook(stored) : emptyBook(sid);
  const held = [...new Set(book.lots.map((l) => l.symbol))];
  const marks = prices ?? (await latestPrices(services, held));
  const v = valueBook(book, marks);
  const transfers = stored?.transfers ?? [];
  return {
    strategyId: sid,
    exists: stored !== undefined,
    positions: v.positions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty.toString(),
      cost: p.cost.toString(),
      price: p.price.toString(),
      marketValue: p.marketValue,
      unrealizedPnl: p.unrealizedPnl,
    })),
    cash: v.cash,
    realizedPnl: v.realizedPnl,
    unrealizedPnl: v.unrealizedPnl,
    marketValue: v.marketValue,
    equity: v.equity,
    transfersTotal: Money.sum(transfers.map((t) => t.amount)),
    transfers,
  };
}

/** The strategy's trades filled in `[from, to)` (ISO instants; either end open), all pages of GSI1, in time order. */
export function strategyTrades(
  services: Services,
  sid: StrategyId,
  range: TimeRange = {},
): Promise<StrategyTrade[]> {
  return services.trades.listByStrategy(sid, range);
}
