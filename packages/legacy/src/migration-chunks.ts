import { Money, Quantity, type StrategyId, type Symbol } from '@books/core';
import { type Book, lotsOf, openQuantity, type PositionMove } from '@books/portfolio';
import { type Migration, moveBetweenBooks } from './carve';

/**
 * A migration moved in chunks, one transaction each (migrate.ts). Contract of a chunk:
 * - it moves the next lots of the plan FIFO, at most `lotsPerChunk` of them (a lot split by the
 *   plan's quantity counts as one), out of the giving book and, exactly as they were, into the
 *   receiving one: after every chunk each lot is in one book, never both or neither, so Σ books
 *   (what reconciliation compares with the broker) is the same after every chunk;
 * - it is computed from the books as they are and the quantities moved so far, never from a list
 *   made when the migration opened: a retry after a crash computes the same next chunk;
 * - the last chunk (the one after which nothing of the plan is left) also moves the cash.
 * A transaction holds 100 writes: a chunk writes 2 per lot (closed out of one book, opened in the
 * other) plus the two transfers, the two cash items, the record, and on the last chunk the pointer
 * and the flow marker, so at most MAX_LOTS_PER_CHUNK lots.
 */
export const MAX_LOTS_PER_CHUNK = 46;
export const DEFAULT_LOTS_PER_CHUNK = 40;

export interface MigrationChunk {
  /** The chunk's transfers and lot changes; undefined when it moves nothing (no lot, no cash). */
  readonly move?: Migration;
  readonly lots: number;
  /** Per symbol, the quantity moved once this chunk is done. */
  readonly moved: ReadonlyMap<Symbol, Quantity>;
  readonly last: boolean;
}

export interface ChunkInput {
  readonly strategyId: StrategyId;
  readonly direction: Migration['direction'];
  readonly fromBook: Book;
  readonly toBook: Book;
  /** The plan: per symbol the quantity to move in all, and the cash (moved by the last chunk). */
  readonly plan: readonly { readonly symbol: Symbol; readonly qty: Quantity }[];
  readonly cash: Money;
  readonly moved: ReadonlyMap<Symbol, Quantity>;
  readonly lotsPerChunk: number;
  readonly id: string;
  /** 1-based number of this chunk (it names its transfers). */
  readonly chunk: number;
  readonly at: string;
}

/** The plan's quantity of each symbol not moved yet (only those left). */
export function remainingOf(
  plan: ChunkInput['plan'],
  moved: ReadonlyMap<Symbol, Quantity>,
): Map<Symbol, Quantity> {
  const left = new Map<Symbol, Quantity>();
  for (const p of plan) {
    const rest = p.qty.minus(moved.get(p.symbol) ?? Quantity.ZERO);
    if (rest.isPositive()) left.set(p.symbol, rest);
  }
  return left;
}

/** The number of chunks a migration of `lots` lots takes (at least 1: the last moves the cash). */
export function chunkCount(lots: number, lotsPerChunk: number): number {
  return Math.max(1, Math.ceil(lots / lotsPerChunk));
}

/** A chunk's transfer ids: `{id}-c0001-out` / `-in`, so they sort in chunk order. */
export function chunkTransferId(id: string, chunk: number): string {
  return `${id}-c${String(chunk).padStart(4, '0')}`;
}

/** Thrown when the giving book holds less than the plan has left to move: it changed meanwhile. */
export class MigrationShortfallError extends Error {
  override readonly name = 'MigrationShortfallError';
}

/** The next chunk of a migration (see the contract above). */
export function nextChunk(input: ChunkInput): MigrationChunk {
  const left = remainingOf(input.plan, input.moved);
  for (const [symbol, qty] of left) {
    const held = openQuantity(lotsOf(input.fromBook, symbol));
    if (held.lt(qty))
      throw new MigrationShortfallError(
        `${input.fromBook.strategyId} holds ${held} ${symbol}, less than the ${qty} the migration has left to move`,
      );
  }
  let budget = input.lotsPerChunk;
  const outs: PositionMove[] = [];
  const moved = new Map(input.moved);
  for (const [symbol, qty] of [...left].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (budget === 0) break;
    let out = Quantity.ZERO;
    for (const lot of lotsOf(input.fromBook, symbol)) {
      if (budget === 0 || out.gte(qty)) break;
      out = out.plus(lot.openQty.min(qty.minus(out)));
      budget--;
    }
    outs.push({ direction: 'out', symbol, qty: out });
    moved.set(symbol, (moved.get(symbol) ?? Quantity.ZERO).plus(out));
  }
  const last = remainingOf(input.plan, moved).size === 0;
  const cash = last && input.cash.isPositive() ? input.cash : Money.ZERO;
  const lots = input.lotsPerChunk - budget;
  if (outs.length === 0 && cash.isZero()) return { lots, moved, last };
  return {
    move: moveBetweenBooks({
      strategyId: input.strategyId,
      direction: input.direction,
      fromBook: input.fromBook,
      toBook: input.toBook,
      outs,
      cash,
      id: input.id,
      transferId: chunkTransferId(input.id, input.chunk),
      at: input.at,
    }),
    lots,
    moved,
    last,
  };
}
