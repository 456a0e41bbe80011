import { LEGACY, type StrategyId } from '@books/core';
import { fillOfTrade, toPortfolioBook, transferOfStored } from '@books/ledger-client';
import { emptyBook, type Fill, type PlainBook, plainBook, rebuildBook } from '@books/portfolio';
import type { Services } from '@books/runtime';

/**
 * A stored book against its rebuild from the ledger: the trade ledger is the authority, the
 * stored lots and cash a projection of it. Nothing here writes: a book that differs from its
 * rebuild is reported, never fixed (`books adjust --restore-from-ledger` does that, on purpose).
 */

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
