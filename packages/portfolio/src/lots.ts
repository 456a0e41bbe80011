import { Decimal, Money, Price, Quantity, type Symbol } from '@books/core';

/**
 * An open FIFO lot: what one BUY fill opened and has not yet been closed.
 *
 * `cost` is the remaining cost basis of `openQty`, buy fees included. When a SELL closes part of a
 * lot, the closed part takes `cost × closedQty / openQty` (rounded to COST_DECIMALS) and the lot
 * keeps the exact rest, so Σ cost is conserved to the last digit. `openPrice` is the fill price
 * and never changes; `openedAt` and `orderId` never change either (they are the lot's key).
 */
export interface Lot {
  readonly symbol: Symbol;
  /** ISO-8601 UTC instant, `YYYY-MM-DDTHH:mm:ss.sssZ`, so that text order is time order. */
  readonly openedAt: string;
  readonly orderId: string;
  readonly openQty: Quantity;
  readonly openPrice: Price;
  readonly cost: Money;
}

/** The identity of a lot, as the ledger keys it (`LOT#{symbol}#{openedAt}#{orderId}`). */
export interface LotKey {
  readonly symbol: Symbol;
  readonly openedAt: string;
  readonly orderId: string;
}

/** Decimals kept on the cost of the closed part of a split lot. */
export const COST_DECIMALS = 10;

export function lotKey(lot: LotKey): LotKey {
  return { symbol: lot.symbol, openedAt: lot.openedAt, orderId: lot.orderId };
}

/** `{symbol}#{openedAt}#{orderId}`: unique within a book, and sorts in FIFO order per symbol. */
export function lotId(key: LotKey): string {
  return `${key.symbol}#${key.openedAt}#${key.orderId}`;
}

/** Book order of lots: by symbol, then oldest first (openedAt, then orderId). */
export function compareLots(a: LotKey, b: LotKey): number {
  return (
    compareText(a.symbol, b.symbol) ||
    compareText(a.openedAt, b.openedAt) ||
    compareText(a.orderId, b.orderId)
  );
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Remaining cost per share of a lot (buy fees included). */
export function costPerShare(lot: Lot): Price {
  return Price.of(lot.cost.value.dividedBy(lot.openQty.value));
}

/** What one SELL did to one lot. */
export type LotChange =
  | { readonly kind: 'opened'; readonly key: LotKey; readonly lot: Lot }
  | {
      readonly kind: 'reduced';
      readonly key: LotKey;
      readonly before: Lot;
      readonly after: Lot;
      readonly closedQty: Quantity;
      readonly closedCost: Money;
    }
  | {
      /** A piece of a lot moved back into the book that holds the rest of it (a migration). */
      readonly kind: 'merged';
      readonly key: LotKey;
      readonly before: Lot;
      readonly after: Lot;
    }
  | {
      readonly kind: 'closed';
      readonly key: LotKey;
      readonly before: Lot;
      readonly closedQty: Quantity;
      readonly closedCost: Money;
    };

/** What closing FIFO does to a lot. */
export type FifoChange = Extract<LotChange, { kind: 'reduced' | 'closed' }>;

export interface FifoClose {
  /** The symbol's lots after the close, oldest first. */
  readonly remaining: readonly Lot[];
  readonly changes: readonly FifoChange[];
  readonly closedCost: Money;
}

/**
 * Closes `qty` of one symbol's lots, oldest first. Precondition (checked by the caller, which
 * owns the error): `qty` is positive and at most Σ openQty of `lots`; `lots` are oldest first.
 */
export function closeFifo(lots: readonly Lot[], qty: Quantity): FifoClose {
  let left = qty;
  let closedCost = Money.ZERO;
  const remaining: Lot[] = [];
  const changes: FifoChange[] = [];
  for (const lot of lots) {
    if (!left.isPositive()) {
      remaining.push(lot);
      continue;
    }
    if (left.gte(lot.openQty)) {
      changes.push({
        kind: 'closed',
        key: lotKey(lot),
        before: lot,
        closedQty: lot.openQty,
        closedCost: lot.cost,
      });
      closedCost = closedCost.plus(lot.cost);
      left = left.minus(lot.openQty);
      continue;
    }
    const partCost = Money.of(
      lot.cost.value
        .times(left.value)
        .dividedBy(lot.openQty.value)
        .toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_EVEN),
    );
    const after: Lot = { ...lot, openQty: lot.openQty.minus(left), cost: lot.cost.minus(partCost) };
    changes.push({
      kind: 'reduced',
      key: lotKey(lot),
      before: lot,
      after,
      closedQty: left,
      closedCost: partCost,
    });
    closedCost = closedCost.plus(partCost);
    remaining.push(after);
    left = Quantity.ZERO;
  }
  return { remaining, changes, closedCost };
}

export function openQuantity(lots: readonly Lot[]): Quantity {
  return Quantity.sum(lots.map((l) => l.openQty));
}
