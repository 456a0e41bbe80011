import { createHash } from 'node:crypto';
import {
  BooksError,
  ClientOrderId,
  errorMessage,
  Money,
  type Price,
  Quantity,
  RunId,
  type StrategyId,
  type Symbol,
  ValidationError,
} from '@books/core';
import {
  loadBook,
  lotChangeItem,
  type TransactItem,
  TransactionConditionError,
  toItem,
} from '@books/ledger-client';
import { applyFill, applyTransfer, type Book, type Fill, type LotChange } from '@books/portfolio';
import { ADJUSTMENT } from '@books/reconciliation';
import type { Services } from '@books/runtime';

/**
 * A correcting entry a human decided on after investigating a break. `qty` is signed: positive
 * books a BUY into the strategy, negative a SELL out of its lots. `cash` is signed: into the book
 * from the unallocated pool, or out of it.
 */
export interface AdjustmentRequest {
  readonly strategyId: StrategyId;
  /** Why: required, kept on every item the adjustment writes. */
  readonly reason: string;
  readonly position?: { readonly symbol: Symbol; readonly qty: Quantity; readonly price: Price };
  readonly cash?: Money;
  /**
   * Lets the adjustment leave the book's cash negative (a position booked at more than the book
   * holds). Off by default: such an adjustment is refused.
   */
  readonly allowNegativeCash?: boolean;
}

export interface AdjustmentResult {
  readonly id: string;
  readonly strategyId: StrategyId;
  readonly at: string;
  readonly reason: string;
  readonly trade?: {
    readonly symbol: Symbol;
    readonly side: 'buy' | 'sell';
    readonly qty: Quantity;
    readonly price: Price;
  };
  readonly transfer?: Money;
  readonly cashBefore: Money;
  readonly cashAfter: Money;
}

export class AdjustmentRefused extends BooksError {
  static override readonly errorName: string = 'AdjustmentRefused';
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('ADJUSTMENT_REFUSED', message, context, options);
  }
}

/**
 * Records an adjustment as ordinary ledger facts, so the book stays a projection of its ledger:
 * a position change is a trade item (order id `adj-…`, `reason: adjustment`, the human's `note`)
 * with its lot changes, a cash change is a transfer with reason `adjustment` and the `note`; both
 * and the book's cash (conditional on the version read) in ONE transaction. The transfer is
 * folded first, as a rebuild folds transfers before fills at one instant. Never silent: a missing
 * reason, an empty adjustment, an unfunded book, a sale beyond the book's lots or a quantity
 * finer than the broker's precision is refused, and so is an adjustment that leaves the book's
 * cash negative unless `allowNegativeCash` says so.
 */
export async function recordAdjustment(
  services: Pick<Services, 'table' | 'books' | 'trades' | 'clock' | 'env'>,
  request: AdjustmentRequest,
): Promise<AdjustmentResult> {
  const reason = request.reason.trim();
  if (reason.length === 0)
    throw new ValidationError('an adjustment needs a reason', [{ path: 'reason', message: 'empty' }]);
  const { position, cash } = request;
  if (!position && !cash)
    throw new ValidationError('an adjustment changes a position or cash', [
      { path: 'position', message: 'neither a position nor a cash amount' },
    ]);
  if (position && (position.qty.isZero() || !position.price.isPositive()))
    throw new ValidationError('an adjustment trade needs a non-zero quantity and a positive price', [
      { path: 'position', message: `qty ${position.qty} @ ${position.price}` },
    ]);
  if (position && position.qty.value.decimalPlaces() > Quantity.MAX_DECIMALS)
    throw new ValidationError(
      `an adjustment quantity has at most ${Quantity.MAX_DECIMALS} decimals (the broker's precision)`,
      [{ path: 'position.qty', message: `${position.qty} has ${position.qty.value.decimalPlaces()}` }],
    );
  if (cash?.isZero())
    throw new ValidationError('a cash adjustment must not be zero', [{ path: 'cash', message: '0' }]);

  const { strategyId } = request;
  const now = services.clock.now();
  const at = now.toISOString();
  // The instant and the content: two different adjustments at one instant get two ids, the same
  // one twice is refused by the ledger's conditions (the trade or transfer already exists).
  const content = JSON.stringify([
    position?.symbol ?? null,
    position?.qty.toString() ?? null,
    position?.price.toString() ?? null,
    cash?.toString() ?? null,
    reason,
  ]);
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 10);
  const id = `adj-${strategyId}-${at.replace(/[^0-9]/g, '')}-${digest}`;
  // The book knows whether it already holds this adjustment's fill (the same adjustment again).
  const loaded = await loadBook(services.books, strategyId, position ? [id] : []);
  if (!loaded.exists || loaded.version === undefined)
    throw new AdjustmentRefused(`strategy ${strategyId} has no book to adjust`, { strategyId });
  const items: TransactItem[] = [];
  let book: Book = loaded.book;
  const note = toItem({ note: reason });

  if (cash) {
    try {
      book = applyTransfer(book, { id, amount: cash, reason: ADJUSTMENT, at });
    } catch (e) {
      throw new AdjustmentRefused(
        `cash adjustment refused: ${errorMessage(e)}`,
        { strategyId },
        { cause: e },
      );
    }
    const put = services.books.transferItem({ strategyId, id, amount: cash, reason: ADJUSTMENT, at });
    items.push(withAttributes(put, note));
  }

  let trade: AdjustmentResult['trade'];
  if (position) {
    const side = position.qty.isNegative() ? 'sell' : 'buy';
    const qty = position.qty.abs();
    const fill: Fill = {
      fillId: id,
      orderId: id,
      symbol: position.symbol,
      side,
      qty,
      price: position.price,
      fees: Money.ZERO,
      at,
    };
    let application: ReturnType<typeof applyFill>;
    try {
      application = applyFill(book, fill);
    } catch (e) {
      throw new AdjustmentRefused(
        `position adjustment refused: ${errorMessage(e)}`,
        { strategyId },
        { cause: e },
      );
    }
    book = application.book;
    const put = services.trades.putItem({
      strategyId,
      strategyName: strategyId,
      orderId: id,
      clientOrderId: ClientOrderId(id),
      symbol: position.symbol,
      side,
      filledQty: qty,
      fillPrice: position.price,
      fees: fill.fees,
      runId: RunId(`${services.env.BOOKS_STAGE}-${ADJUSTMENT}`),
      // Not planned by a run: the capital it was sized for is none.
      strategyCapital: Money.ZERO,
      submittedAt: at,
      filledAt: at,
    });
    items.push(
      withAttributes(put, { ...note, ...toItem({ reason: ADJUSTMENT }) }),
      ...application.changes.map((c) => lotItem(services, strategyId, c)),
    );
    trade = { symbol: position.symbol, side, qty, price: position.price };
  }

  if (book.cash.isNegative() && !request.allowNegativeCash)
    throw new AdjustmentRefused(
      `adjustment refused: it would leave the cash of ${strategyId} at ${book.cash} (from ${loaded.book.cash}); ` +
        'fund the book with --cash in the same adjustment, or allow negative cash explicitly',
      { strategyId, cashBefore: loaded.book.cash.toString(), cashAfter: book.cash.toString() },
    );
  items.push(
    services.books.cashUpdateItem(
      { strategyId, cash: book.cash, realizedPnl: book.realizedPnl, updatedAt: at },
      loaded.version,
    ),
  );
  try {
    await services.table.transact(items);
  } catch (e) {
    if (e instanceof TransactionConditionError && e.failures.some((f) => f.index < items.length - 1))
      throw new AdjustmentRefused(`adjustment ${id} is already recorded`, { strategyId, id }, { cause: e });
    throw e;
  }
  return {
    id,
    strategyId,
    at,
    reason,
    ...(trade ? { trade } : {}),
    ...(cash ? { transfer: cash } : {}),
    cashBefore: loaded.book.cash,
    cashAfter: book.cash,
  };
}

function withAttributes(item: TransactItem, extra: ReturnType<typeof toItem>): TransactItem {
  if (item.kind !== 'put') return item;
  return { ...item, item: { ...item.item, ...extra } };
}

function lotItem(services: Pick<Services, 'books'>, strategyId: StrategyId, change: LotChange): TransactItem {
  return lotChangeItem(services.books, strategyId, change);
}
