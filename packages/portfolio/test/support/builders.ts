import { Money, Price, Quantity, StrategyId, Symbol, Weight } from '@books/core';
import { applyFill, type Book, emptyBook, type Fill } from '../../src/book';
import { applyTransfer, type Transfer, type TransferReason } from '../../src/transfers';

export const sid = (id = 'alpha'): StrategyId => StrategyId(id);
export const sym = (s: string): Symbol => Symbol(s);
export const qty = (q: string): Quantity => Quantity.parse(q);
export const px = (p: string): Price => Price.parse(p);
export const usd = (m: string): Money => Money.parse(m);
export const wt = (w: string): Weight => Weight.parse(w);

const BASE_MS = Date.UTC(2026, 0, 5, 15, 30, 0, 0);
/** The n-th instant of a test timeline: one second apart. */
export const at = (n: number): string => new Date(BASE_MS + n * 1000).toISOString();

interface FillOptions {
  fees?: string;
  at?: string;
  fillId?: string;
  orderId?: string;
}

let counter = 0;
function fill(side: 'buy' | 'sell', symbol: string, q: string, price: string, o: FillOptions): Fill {
  counter += 1;
  const fillId = o.fillId ?? `f${counter}`;
  return {
    fillId,
    orderId: o.orderId ?? `o-${fillId}`,
    symbol: sym(symbol),
    side,
    qty: qty(q),
    price: px(price),
    fees: usd(o.fees ?? '0'),
    at: o.at ?? at(counter),
  };
}

export const buy = (symbol: string, q: string, price: string, o: FillOptions = {}): Fill =>
  fill('buy', symbol, q, price, o);
export const sell = (symbol: string, q: string, price: string, o: FillOptions = {}): Fill =>
  fill('sell', symbol, q, price, o);

export const transfer = (
  id: string,
  amount: string,
  n = 0,
  reason: TransferReason = 'funding',
): Transfer => ({
  id,
  amount: usd(amount),
  reason,
  at: at(n),
});

/** A book funded with `cash` at t0, then the fills applied in order. */
export function bookWith(cash: string, fills: readonly Fill[] = [], strategy = sid()): Book {
  let book = emptyBook(strategy);
  if (!usd(cash).isZero()) book = applyTransfer(book, transfer('seed', cash, 0));
  for (const f of fills) book = applyFill(book, f).book;
  return book;
}

export const prices = (entries: Record<string, string>): Map<Symbol, Price> =>
  new Map(Object.entries(entries).map(([s, p]) => [sym(s), px(p)]));
export const weights = (entries: Record<string, string>): Map<Symbol, Weight> =>
  new Map(Object.entries(entries).map(([s, w]) => [sym(s), wt(w)]));
export const quantities = (entries: Record<string, string>): Map<Symbol, Quantity> =>
  new Map(Object.entries(entries).map(([s, q]) => [sym(s), qty(q)]));

/** Plain strings of any decimal value: compare amounts with toEqual without decimal internals. */
export const str = (x: { toString(): string } | null): string | null => (x === null ? null : x.toString());

/** A deterministic permutation (Fisher–Yates driven by a small LCG). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) continue;
    out[i] = b;
    out[j] = a;
  }
  return out;
}
