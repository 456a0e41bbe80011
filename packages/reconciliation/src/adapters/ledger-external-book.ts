import { createHash } from 'node:crypto';
import {
  ClientOrderId,
  EXTERNAL,
  Money,
  type Price,
  Quantity,
  RunId,
  type Symbol,
  type TradingDate,
} from '@books/core';
import {
  type LoadedBook,
  loadBook,
  lotChangeItem,
  type TransactItem,
  TransactionConditionError,
  toItem,
} from '@books/ledger-client';
import {
  applyFill,
  type Book,
  compareText,
  heldQuantity,
  type LotChange,
  quantitiesOf,
} from '@books/portfolio';
import type { Services } from '@books/runtime';
import { ADJUSTMENT } from '../adjustment';
import type { ExternalBookSync, ExternalEntry, ExternalSync } from '../ports';

/**
 * Keeps the reserved EXTERNAL book (`STRATEGY#EXTERNAL#BOOK`) equal to what the broker holds and no
 * book owns (the UNOWNED quantities of this reconciliation), so that Σ strategy books + LEGACY +
 * EXTERNAL = broker is a recorded fact with a dated, labelled entry for every change:
 * - a symbol newly (or more) unowned is bought into EXTERNAL at the broker's average entry price,
 *   with reason `adjustment` and a note "unowned at broker, found by reconciliation …";
 * - a symbol no longer unowned (a human assigned it to a strategy with `books adjust`, or it was
 *   sold at the broker) is sold out of EXTERNAL, labelled likewise.
 * EXTERNAL is never an owner for the status: the reconciler keeps reporting the symbol UNOWNED (a
 * break) until a human acts. Short unowned positions cannot be lots and are left to the break.
 * Idempotent under concurrent reconciliations: an entry's id is a function of (date, symbol, from,
 * to), the trade write is conditional on its absence and the cash on the version read; a lost
 * race writes nothing and the next reconciliation converges.
 */
export async function syncExternalBook(
  services: Pick<Services, 'table' | 'books' | 'trades' | 'env'>,
  input: {
    readonly unowned: ReadonlyMap<Symbol, Quantity>;
    readonly prices: ReadonlyMap<Symbol, Price>;
    readonly date: TradingDate;
    readonly at: string;
    /** EXTERNAL as the caller just read it (`loadBook`); absent, read here. */
    readonly book?: LoadedBook;
  },
): Promise<ExternalSync> {
  const loaded = input.book ?? (await loadBook(services.books, EXTERNAL));
  const held = quantitiesOf(loaded.book);
  const symbols = [...new Set<Symbol>([...input.unowned.keys(), ...held.keys()])].sort(compareText);
  // Entries fold after every lot EXTERNAL holds, so that a rebuild from its trades sells what it
  // bought even when two reconciliations share an instant (a manual clock, one millisecond).
  const latest = Math.max(...loaded.book.lots.map((l) => new Date(l.openedAt).getTime() + 1), 0);
  const at = new Date(Math.max(new Date(input.at).getTime(), latest)).toISOString();
  let book: Book = loaded.book;
  const items: TransactItem[] = [];
  const entries: ExternalEntry[] = [];
  const unpriced: Symbol[] = [];
  for (const symbol of symbols) {
    const unowned = input.unowned.get(symbol) ?? Quantity.ZERO;
    const to = unowned.isPositive() ? unowned : Quantity.ZERO;
    const from = heldQuantity(book, symbol);
    if (to.eq(from)) continue;
    const side = to.gt(from) ? 'buy' : 'sell';
    const qty = to.minus(from).abs();
    const price =
      input.prices.get(symbol) ??
      book.lots.find((l) => l.symbol === symbol && l.openPrice.isPositive())?.openPrice;
    if (!price?.isPositive()) {
      unpriced.push(symbol);
      continue;
    }
    const digest = createHash('sha256')
      .update(JSON.stringify([input.date, symbol, from.toString(), to.toString()]))
      .digest('hex')
      .slice(0, 12);
    const orderId = `ext-${input.date}-${digest}`;
    const note =
      side === 'buy'
        ? `unowned at broker, found by reconciliation on ${input.date}: the broker holds ${unowned} ${symbol} that no book owns`
        : `no longer unowned, found by reconciliation on ${input.date}: EXTERNAL held ${from} ${symbol}, unowned now ${to}`;
    const application = applyFill(book, {
      fillId: orderId,
      orderId,
      symbol,
      side,
      qty,
      price,
      fees: Money.ZERO,
      at,
    });
    book = application.book;
    const trade = services.trades.putItem({
      strategyId: EXTERNAL,
      strategyName: EXTERNAL,
      orderId,
      clientOrderId: ClientOrderId(orderId),
      symbol,
      side,
      filledQty: qty,
      fillPrice: price,
      fees: Money.ZERO,
      runId: RunId(`${services.env.BOOKS_STAGE}-reconciliation`),
      strategyCapital: Money.ZERO,
      submittedAt: at,
      filledAt: at,
    });
    items.push(
      trade.kind === 'put'
        ? { ...trade, item: { ...trade.item, ...toItem({ reason: ADJUSTMENT, note }) } }
        : trade,
      ...application.changes.map((c) => lotItem(services, c)),
    );
    entries.push({ orderId, symbol, side, qty, price, from, to, note });
  }
  const left = unpriced.length > 0 ? { unpriced } : {};
  if (entries.length === 0) return { entries, ...left, held: quantitiesOf(book) };
  const cash = { strategyId: EXTERNAL, cash: book.cash, realizedPnl: book.realizedPnl, updatedAt: at };
  items.push(
    loaded.version === undefined
      ? services.books.openCashItem(cash)
      : services.books.cashUpdateItem(cash, loaded.version),
  );
  try {
    await services.table.transact(items);
  } catch (e) {
    if (e instanceof TransactionConditionError)
      return {
        entries: [],
        skipped: `another reconciliation changed the EXTERNAL book first (${e.message})`,
      };
    throw e;
  }
  return { entries, ...left, held: quantitiesOf(book) };
}

function lotItem(services: Pick<Services, 'books'>, change: LotChange): TransactItem {
  return lotChangeItem(services.books, EXTERNAL, change);
}

/** The EXTERNAL book on the ledger, kept by `syncExternalBook`. */
export class LedgerExternalBook implements ExternalBookSync {
  constructor(private readonly services: Pick<Services, 'table' | 'books' | 'trades' | 'env'>) {}

  sync(input: Parameters<ExternalBookSync['sync']>[0]): Promise<ExternalSync> {
    return syncExternalBook(this.services, input);
  }
}
