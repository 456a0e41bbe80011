import { Decimal, Money, type StrategyId, Symbol, Weight } from '@books/core';
import type { LegacySignals } from '@books/ledger-client';
import {
  type AssetInfo,
  applyTransferChanges,
  type Book,
  type Lot,
  type LotChange,
  openQuantity,
  type PositionMove,
  positionsOf,
  type Transfer,
} from '@books/portfolio';

/**
 * A migration between the legacy book and one strategy's book, as two labelled transfers (reason
 * `migration`) that move positions and cash: `out` of the giving book, `in` to the receiving one.
 * The lots moved in are exactly the pieces closed out (FIFO), with their cost basis, open price
 * and open time, so Σ books is unchanged to the last digit and both books stay projections of
 * their ledgers.
 */
export interface Migration {
  readonly id: string;
  readonly strategyId: StrategyId;
  readonly direction: 'to-per-strategy' | 'to-legacy';
  readonly from: StrategyId;
  readonly to: StrategyId;
  readonly at: string;
  readonly out: Transfer;
  readonly in: Transfer;
  /** Per symbol, the quantity moved. */
  readonly moved: readonly { readonly symbol: Symbol; readonly qty: string; readonly cost: string }[];
  readonly cash: Money;
  readonly outChanges: readonly LotChange[];
  readonly inChanges: readonly LotChange[];
}

/** The strategy's share of the legacy book per its contributions to the latest legacy run. */
export interface CarveShares {
  /** Per symbol, the strategy's fraction of the legacy quantity (0..1). */
  readonly positions: ReadonlyMap<Symbol, Decimal>;
  /** Its fraction of the legacy cash (0..1). */
  readonly cash: Decimal;
}

/**
 * A strategy's shares of the legacy book from a legacy run's contributions: per symbol its
 * contribution ÷ the contributions of every strategy still holding in the legacy book; for cash,
 * the part of its allocation it left uninvested ÷ the uninvested part of all of them (its
 * allocation ÷ all their allocations when everything was invested). `stillInLegacy` excludes the
 * strategies already carved out since that run, so carving several strategies in turn gives the
 * last one all that is left.
 */
export function carveShares(
  signals: LegacySignals,
  strategyId: StrategyId,
  stillInLegacy: (id: StrategyId) => boolean = () => true,
): CarveShares {
  const live = signals.strategies.filter(
    (c) => c.status !== 'FAILED' && (c.strategyId === strategyId || stillInLegacy(c.strategyId)),
  );
  const own = live.find((c) => c.strategyId === strategyId);
  const merged = new Map<string, Decimal>();
  for (const c of live)
    for (const [symbol, part] of Object.entries(c.contributions))
      merged.set(symbol, (merged.get(symbol) ?? new Decimal(0)).plus(part.value));
  const positions = new Map<Symbol, Decimal>();
  for (const [symbol, part] of Object.entries(own?.contributions ?? {})) {
    const total = merged.get(symbol);
    if (total?.gt(0)) positions.set(Symbol(symbol), Decimal.min(1, part.value.dividedBy(total)));
  }
  const idle = (c: LegacySignals['strategies'][number]) =>
    Decimal.max(0, c.allocation.value.minus(Weight.sum(Object.values(c.contributions)).value));
  const idleAll = live.reduce((sum, c) => sum.plus(idle(c)), new Decimal(0));
  const allocAll = live.reduce((sum, c) => sum.plus(c.allocation.value), new Decimal(0));
  const cash = !own
    ? new Decimal(0)
    : idleAll.gt(0)
      ? idle(own).dividedBy(idleAll)
      : allocAll.gt(0)
        ? own.allocation.value.dividedBy(allocAll)
        : new Decimal(0);
  return { positions, cash: Decimal.min(1, cash) };
}

/**
 * Carves a strategy's share out of the legacy book: per symbol its fraction × the legacy
 * quantity (whole shares when the asset is not fractionable, 9 decimals otherwise, never more
 * than held), and its fraction of the legacy cash in whole cents.
 */
export function carveOut(input: {
  readonly legacy: Book;
  readonly target: Book;
  readonly shares: CarveShares;
  readonly assets: ReadonlyMap<Symbol, AssetInfo>;
  readonly id: string;
  readonly at: string;
}): Migration {
  const outs: PositionMove[] = [];
  for (const p of positionsOf(input.legacy)) {
    const f = input.shares.positions.get(p.symbol);
    if (!f?.isPositive()) continue;
    const places = input.assets.get(p.symbol)?.fractionable ? 9 : 0;
    const qty = p.qty.times(f).truncate(places).min(p.qty);
    if (qty.isPositive()) outs.push({ direction: 'out', symbol: p.symbol, qty });
  }
  const cash = input.legacy.cash.isPositive()
    ? input.legacy.cash.times(input.shares.cash).truncate(2)
    : Money.ZERO;
  return moveBetweenBooks({
    strategyId: input.target.strategyId,
    direction: 'to-per-strategy',
    fromBook: input.legacy,
    toBook: input.target,
    outs,
    cash,
    id: input.id,
    at: input.at,
  });
}

/** Folds a strategy's whole book (every lot, all its cash) back into the legacy book. */
export function foldBack(input: {
  readonly book: Book;
  readonly legacy: Book;
  readonly id: string;
  readonly at: string;
}): Migration {
  const outs: PositionMove[] = positionsOf(input.book).map((p) => ({
    direction: 'out',
    symbol: p.symbol,
    qty: p.qty,
  }));
  const cash = input.book.cash.isPositive() ? input.book.cash : Money.ZERO;
  return moveBetweenBooks({
    strategyId: input.book.strategyId,
    direction: 'to-legacy',
    fromBook: input.book,
    toBook: input.legacy,
    outs,
    cash,
    id: input.id,
    at: input.at,
  });
}

/**
 * Moves `outs` (FIFO) and `cash` from one book to the other: the lots closed out of `fromBook` are
 * opened, as they were, in `toBook`. The transfers are `{transferId ?? id}-out` and `-in` (a
 * chunked migration gives each chunk its own). Both books' changes are returned for the ledger.
 */
export function moveBetweenBooks(m: {
  readonly strategyId: StrategyId;
  readonly direction: Migration['direction'];
  readonly fromBook: Book;
  readonly toBook: Book;
  readonly outs: readonly PositionMove[];
  readonly cash: Money;
  readonly id: string;
  readonly transferId?: string;
  readonly at: string;
}): Migration {
  const out: Transfer = {
    id: `${m.transferId ?? m.id}-out`,
    amount: m.cash.negated(),
    reason: 'migration',
    at: m.at,
    positions: m.outs,
  };
  // Nothing to move (no position, no cash): no transfer is applied (an empty one is invalid).
  const nothing = m.outs.length === 0 && m.cash.isZero();
  const left = nothing ? { changes: [] } : applyTransferChanges(m.fromBook, out);
  const lots: Lot[] = left.changes.flatMap((c): Lot[] =>
    c.kind === 'closed'
      ? [c.before]
      : c.kind === 'reduced'
        ? [{ ...c.before, openQty: c.closedQty, cost: c.closedCost }]
        : [],
  );
  const inTransfer: Transfer = {
    id: `${m.transferId ?? m.id}-in`,
    amount: m.cash,
    reason: 'migration',
    at: m.at,
    positions: lots.map((lot) => ({ direction: 'in', lot })),
  };
  const arrived = nothing ? { changes: [] } : applyTransferChanges(m.toBook, inTransfer);
  const bySymbol = new Map<Symbol, Lot[]>();
  for (const lot of lots) bySymbol.set(lot.symbol, [...(bySymbol.get(lot.symbol) ?? []), lot]);
  return {
    id: m.id,
    strategyId: m.strategyId,
    direction: m.direction,
    from: m.fromBook.strategyId,
    to: m.toBook.strategyId,
    at: m.at,
    out,
    in: inTransfer,
    moved: [...bySymbol].map(([symbol, ls]) => ({
      symbol,
      qty: openQuantity(ls).toString(),
      cost: Money.sum(ls.map((l) => l.cost)).toString(),
    })),
    cash: m.cash,
    outChanges: left.changes,
    inChanges: arrived.changes,
  };
}
