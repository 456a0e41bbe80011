import { ClientOrderId, Money, Price, Quantity, type Side, Symbol } from '@books/core';
import { type BrokerOrder, BrokerOrderId, type OrderStatus, type OrderType } from '../port';
import type { PaperCorporateState } from './corporate-actions';

/**
 * The paper account as stored: decimals as strings, one item, one version. Every change of the
 * paper broker (an order placed, filled, canceled) rewrites it under its version, which makes
 * all changes of one account linearisable: no double fill, no double spend across processes.
 */
export interface PaperAccountState {
  readonly cash: string;
  readonly positions: Readonly<Record<string, PaperPositionState>>;
  /** The corporate actions applied and the activities they made; absent until the first one. */
  readonly corporate?: PaperCorporateState;
}

export interface PaperPositionState {
  readonly qty: string;
  /** Total cost of the open quantity at average entry price (fees excluded). */
  readonly cost: string;
}

export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** An order as stored. `revision` guards concurrent updates of the same order. */
export interface PaperOrderRecord {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly status: OrderStatus;
  readonly qty: string | null;
  readonly notional: string | null;
  readonly limitPrice: string | null;
  /** For a notional order, the quantity it was sized to when placed. */
  readonly targetQty: string;
  readonly filledQty: string;
  readonly filledAvgPrice: string | null;
  /** Cash held back from buying power while the buy is open. */
  readonly reserved: string;
  readonly fees: string;
  readonly submittedAt: string;
  readonly filledAt: string | null;
  readonly revision: number;
}

export function toBrokerOrder(r: PaperOrderRecord): BrokerOrder {
  return {
    id: BrokerOrderId(r.id),
    clientOrderId: ClientOrderId(r.clientOrderId),
    symbol: Symbol(r.symbol),
    side: r.side,
    type: r.type,
    status: r.status,
    qty: r.qty === null ? null : Quantity.parse(r.qty),
    notional: r.notional === null ? null : Money.parse(r.notional),
    limitPrice: r.limitPrice === null ? null : Price.parse(r.limitPrice),
    filledQty: Quantity.parse(r.filledQty),
    filledAvgPrice: r.filledAvgPrice === null ? null : Price.parse(r.filledAvgPrice),
    submittedAt: new Date(r.submittedAt),
    filledAt: r.filledAt === null ? null : new Date(r.filledAt),
  };
}
