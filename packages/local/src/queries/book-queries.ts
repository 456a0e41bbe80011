import { LEGACY, Money, type Price, type StrategyId, Symbol } from '@books/core';
import {
  fillOfTrade,
  loadBook,
  type StoredTransfer,
  type StrategyTrade,
  type TimeRange,
  toPortfolioBook,
  transferOfStored,
} from '@books/ledger-client';
import {
  emptyBook,
  type Fill,
  type PlainBook,
  plainBook,
  positionsOf,
  rebuildBook,
  valueBook,
} from '@books/portfolio';
import type { Services } from '@books/runtime';

/**
 * Per-strategy queries over the ledger alone: the stored book (lots, cash, transfers) and the
 * strategy's trades (GSI1). Prices come in from the caller or, by default, from the broker.
 * Nothing here writes: a book that differs from its rebuild is reported, never fixed.
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
  const stored = await services.books.readBook(sid);
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

export interface BookVerification {
  readonly strategyId: StrategyId;
  readonly matches: boolean;
  readonly trades: number;
  readonly transfers: number;
  /** Field-level differences, `what: stored ≠ rebuilt`; empty when the book matches. */
  readonly differences: readonly string[];
}

/** Rebuilds the book from its trades and transfers and compares it with the stored lots and cash. */
export async function verifyBook(services: Services, sid: StrategyId): Promise<BookVerification> {
  const [stored, own, legacy] = await Promise.all([
    services.books.readBook(sid),
    services.trades.listByStrategy(sid),
    // The legacy book's fills are legacy trades (`TRADE#{orderId}`), not in a strategy partition.
    sid === LEGACY ? services.trades.listLegacy() : Promise.resolve([]),
  ]);
  const trades: Fill[] = [...own.map(fillOfTrade), ...legacy.map(fillOfTrade)];
  const transfers = stored?.transfers ?? [];
  let differences: string[];
  try {
    const postings = (stored?.activities ?? []).map((a) => a.posting);
    const rebuilt = plainBook(rebuildBook(sid, trades, transfers.map(transferOfStored), postings));
    const actual = plainBook(stored ? toPortfolioBook(stored) : emptyBook(sid));
    differences = compareBooks(actual, rebuilt);
  } catch (e) {
    differences = [`the ledger cannot be folded into a book: ${e instanceof Error ? e.message : String(e)}`];
  }
  return {
    strategyId: sid,
    matches: differences.length === 0,
    trades: trades.length,
    transfers: transfers.length,
    differences,
  };
}

/** Differences of lots, cash and realized P&L (applied ids are not stored with a book, so not compared). */
export function compareBooks(stored: PlainBook, rebuilt: PlainBook): string[] {
  const out: string[] = [];
  if (stored.cash !== rebuilt.cash) out.push(`cash: ${stored.cash} ≠ ${rebuilt.cash}`);
  if (stored.realizedPnl !== rebuilt.realizedPnl)
    out.push(`realized P&L: ${stored.realizedPnl} ≠ ${rebuilt.realizedPnl}`);
  const lotText = (l: PlainBook['lots'][number]) =>
    `${l.symbol} ${l.openQty} @ ${l.openPrice} cost ${l.cost} opened ${l.openedAt} order ${l.orderId}`;
  const a = stored.lots.map(lotText);
  const b = rebuilt.lots.map(lotText);
  for (const l of a) if (!b.includes(l)) out.push(`lot only stored: ${l}`);
  for (const l of b) if (!a.includes(l)) out.push(`lot only rebuilt: ${l}`);
  if (out.length === 0 && a.join('\n') !== b.join('\n'))
    out.push('lots: same lots in a different FIFO order');
  return out;
}
