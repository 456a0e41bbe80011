/**
 * Reconciliation math: do the books explain the broker account?
 *
 * Invariants (tested):
 * 1. Every symbol the broker holds or any book owns appears exactly once in `symbols`, sorted.
 * 2. owned = Σ qty of all books given (strategies, LEGACY, EXTERNAL); in-flight orders (placed but
 *    not yet booked) widen the explained range to [owned − Σ in-flight sells, owned + Σ in-flight buys].
 * 3. MATCH ⇔ broker qty lies in that range, widened by the quantity tolerance.
 * 4. UNOWNED ⇔ not MATCH and no book owns or has an in-flight order on the symbol: the broker
 *    quantity belongs to the EXTERNAL book (`external`), never to a strategy.
 * 5. PHANTOM ⇔ not MATCH, the broker holds none of it (within tolerance) and books own some.
 * 6. DRIFT otherwise. `unexplained` = broker qty − nearest end of the range; it is split pro rata
 *    over the books by owned qty (by in-flight qty when nothing is owned), each book's share
 *    rounded to 9 decimals — never assigned wholesale to one book.
 * 7. PHANTOM books carry their pro-rata share of `unexplained` the same way.
 * 8. Cash: expected = Σ book cash (+ LEGACY) + pool (`unallocated`: the pool as the ledger stores
 *    it, read, never derived from the broker); MATCH ⇔ broker cash lies in
 *    [expected − in-flight buy notional, expected + in-flight sell notional] widened by the cash
 *    tolerance (in-flight notional needs a price; without one it widens nothing), AND the capital
 *    invariants hold (`capitalViolations`: pool ≥ 0; Σ book equity ≤ account equity when given).
 *    A violation is a break (`DRIFT`, listed in `violations`), never a MATCH.
 * 9. Consistent inputs (broker = Σ books per symbol and in cash, nothing in flight) are all MATCH.
 * Values are quantity × the given price, or null when no price was given: reconciliation still runs.
 */
import {
  LEGACY,
  Money,
  notional,
  type Price,
  Quantity,
  type Side,
  type StrategyId,
  type Symbol,
} from '@books/core';
import { InvalidReconciliationInputError } from './errors';
import { compareText } from './lots';

export type ReconciliationStatus = 'MATCH' | 'DRIFT' | 'UNOWNED' | 'PHANTOM';

export interface InFlightOrder {
  readonly strategyId: StrategyId;
  readonly symbol: Symbol;
  readonly side: Side;
  /** Quantity placed and not yet booked. */
  readonly qty: Quantity;
}

export interface ReconciliationTolerances {
  readonly qty: Quantity;
  readonly cash: Money;
}

export interface ReconcileInput {
  /** Positions per book: strategies, and EXTERNAL for positions already attributed to it. */
  readonly books: ReadonlyMap<StrategyId, ReadonlyMap<Symbol, Quantity>>;
  /** The LEGACY book's positions, when some strategy still runs the legacy flow. */
  readonly legacy?: ReadonlyMap<Symbol, Quantity>;
  readonly broker: ReadonlyMap<Symbol, Quantity>;
  readonly inFlight: readonly InFlightOrder[];
  readonly prices?: ReadonlyMap<Symbol, Price>;
  readonly cash: {
    readonly broker: Money;
    readonly books: ReadonlyMap<StrategyId, Money>;
    readonly legacy?: Money;
    /** The unallocated pool as the ledger stores it (read, never derived). */
    readonly unallocated: Money;
  };
  /** Σ book equity (LEGACY included) and the account's equity, for the capital invariant. */
  readonly equity?: { readonly books: Money; readonly account: Money };
  readonly tolerances?: Partial<ReconciliationTolerances>;
}

export interface BookHolding {
  readonly strategyId: StrategyId;
  readonly qty: Quantity;
  readonly value: Money | null;
  readonly inFlightBuyQty: Quantity;
  readonly inFlightSellQty: Quantity;
  /** This book's pro-rata share of the unexplained quantity (zero on MATCH). */
  readonly unexplainedQty: Quantity;
  readonly unexplainedValue: Money | null;
}

export interface SymbolReconciliation {
  readonly symbol: Symbol;
  readonly status: ReconciliationStatus;
  readonly price: Price | null;
  readonly brokerQty: Quantity;
  readonly brokerValue: Money | null;
  readonly ownedQty: Quantity;
  readonly ownedValue: Money | null;
  readonly inFlightBuyQty: Quantity;
  readonly inFlightSellQty: Quantity;
  /** broker − owned, before in-flight orders explain any of it. */
  readonly difference: Quantity;
  /** broker − nearest end of the explained range; zero on MATCH. */
  readonly unexplained: Quantity;
  readonly books: readonly BookHolding[];
  /** Quantity attributed to the EXTERNAL book (UNOWNED only). */
  readonly external: Quantity;
}

export interface CashReconciliation {
  readonly status: 'MATCH' | 'DRIFT';
  readonly broker: Money;
  readonly expected: Money;
  readonly difference: Money;
  /** Part of the difference in-flight orders cannot explain; zero on MATCH. */
  readonly unexplained: Money;
  readonly books: ReadonlyMap<StrategyId, Money>;
  readonly unallocated: Money;
  /** Capital invariants that do not hold (`capitalViolations`); any makes the cash a break. */
  readonly violations: readonly string[];
}

export interface Reconciliation {
  readonly symbols: readonly SymbolReconciliation[];
  readonly cash: CashReconciliation;
  readonly breaks: readonly SymbolReconciliation[];
  readonly external: ReadonlyMap<Symbol, Quantity>;
  /** Every symbol and the cash MATCH. */
  readonly ok: boolean;
}

export const DEFAULT_TOLERANCES: ReconciliationTolerances = {
  qty: Quantity.of('0.000000001'),
  cash: Money.of('0.01'),
};

const SHARE_DECIMALS = 9;

/**
 * A holder's pro-rata part of a symbol's unexplained quantity: `unexplained × weight ÷ total`, to
 * 9 decimals (half-even); zero when nothing is unexplained or the weights sum to zero.
 */
export function unexplainedShare(unexplained: Quantity, weight: Quantity, total: Quantity): Quantity {
  return unexplained.isZero() || total.isZero()
    ? Quantity.ZERO
    : unexplained.times(weight.ratioTo(total)).round(SHARE_DECIMALS);
}

export function reconcile(input: ReconcileInput): Reconciliation {
  const tolerances = { ...DEFAULT_TOLERANCES, ...input.tolerances };
  const books = allBooks(input);
  const symbols = new Set<Symbol>(input.broker.keys());
  for (const positions of books.values()) for (const s of positions.keys()) symbols.add(s);
  for (const o of input.inFlight) symbols.add(o.symbol);

  const results = [...symbols]
    .sort(compareText)
    .map((symbol) => reconcileSymbol(symbol, input, books, tolerances.qty))
    .filter((r) => !(r.status === 'MATCH' && r.brokerQty.isZero() && r.ownedQty.isZero()) || hasInFlight(r));
  const cash = reconcileCash(input, tolerances.cash);
  const breaks = results.filter((r) => r.status !== 'MATCH');
  const external = new Map(results.filter((r) => r.status === 'UNOWNED').map((r) => [r.symbol, r.external]));
  return { symbols: results, cash, breaks, external, ok: breaks.length === 0 && cash.status === 'MATCH' };
}

function hasInFlight(r: SymbolReconciliation): boolean {
  return r.inFlightBuyQty.isPositive() || r.inFlightSellQty.isPositive();
}

function allBooks(input: ReconcileInput): ReadonlyMap<StrategyId, ReadonlyMap<Symbol, Quantity>> {
  if (input.legacy === undefined) return input.books;
  if (input.books.has(LEGACY))
    throw new InvalidReconciliationInputError('the LEGACY book is given twice (in books and as legacy)');
  return new Map([...input.books, [LEGACY, input.legacy]]);
}

function reconcileSymbol(
  symbol: Symbol,
  input: ReconcileInput,
  books: ReadonlyMap<StrategyId, ReadonlyMap<Symbol, Quantity>>,
  tolerance: Quantity,
): SymbolReconciliation {
  const price = input.prices?.get(symbol) ?? null;
  const valueOf = (q: Quantity): Money | null => (price === null ? null : notional(q, price));
  const orders = input.inFlight.filter((o) => o.symbol === symbol);
  const inFlightOf = (sid: StrategyId | null, side: Side): Quantity =>
    Quantity.sum(
      orders.filter((o) => o.side === side && (sid === null || o.strategyId === sid)).map((o) => o.qty),
    );

  const holderIds = new Set<StrategyId>();
  for (const [sid, positions] of books)
    if (!(positions.get(symbol) ?? Quantity.ZERO).isZero()) holderIds.add(sid);
  for (const o of orders) holderIds.add(o.strategyId);
  const holders = [...holderIds].sort(compareText).map((sid) => ({
    strategyId: sid,
    qty: books.get(sid)?.get(symbol) ?? Quantity.ZERO,
    inFlightBuyQty: inFlightOf(sid, 'buy'),
    inFlightSellQty: inFlightOf(sid, 'sell'),
  }));

  const brokerQty = input.broker.get(symbol) ?? Quantity.ZERO;
  const ownedQty = Quantity.sum(holders.map((h) => h.qty));
  const inFlightBuyQty = inFlightOf(null, 'buy');
  const inFlightSellQty = inFlightOf(null, 'sell');
  const lower = ownedQty.minus(inFlightSellQty);
  const upper = ownedQty.plus(inFlightBuyQty);
  const unexplained = brokerQty.lt(lower.minus(tolerance))
    ? brokerQty.minus(lower)
    : brokerQty.gt(upper.plus(tolerance))
      ? brokerQty.minus(upper)
      : Quantity.ZERO;

  const status: ReconciliationStatus = unexplained.isZero()
    ? 'MATCH'
    : holders.length === 0
      ? 'UNOWNED'
      : brokerQty.abs().lte(tolerance) && ownedQty.isPositive()
        ? 'PHANTOM'
        : 'DRIFT';

  const weights = ownedQty.isZero()
    ? holders.map((h) => h.inFlightBuyQty.plus(h.inFlightSellQty))
    : holders.map((h) => h.qty);
  const weightTotal = Quantity.sum(weights);
  const bookRows = holders.map((h, i): BookHolding => {
    const w = weights[i] ?? Quantity.ZERO;
    const share = unexplainedShare(unexplained, w, weightTotal);
    return { ...h, value: valueOf(h.qty), unexplainedQty: share, unexplainedValue: valueOf(share) };
  });

  return {
    symbol,
    status,
    price,
    brokerQty,
    brokerValue: valueOf(brokerQty),
    ownedQty,
    ownedValue: valueOf(ownedQty),
    inFlightBuyQty,
    inFlightSellQty,
    difference: brokerQty.minus(ownedQty),
    unexplained,
    books: bookRows,
    external: status === 'UNOWNED' ? brokerQty : Quantity.ZERO,
  };
}

function reconcileCash(input: ReconcileInput, tolerance: Money): CashReconciliation {
  const { broker, unallocated } = input.cash;
  const books = new Map(input.cash.books);
  if (input.cash.legacy !== undefined) {
    if (books.has(LEGACY))
      throw new InvalidReconciliationInputError('the LEGACY cash is given twice (in books and as legacy)');
    books.set(LEGACY, input.cash.legacy);
  }
  const expected = Money.sum(books.values()).plus(unallocated);
  const inFlightNotional = (side: Side): Money =>
    Money.sum(
      input.inFlight
        .filter((o) => o.side === side)
        .map((o) => {
          const p = input.prices?.get(o.symbol);
          return p === undefined ? Money.ZERO : notional(o.qty, p);
        }),
    );
  const lower = expected.minus(inFlightNotional('buy'));
  const upper = expected.plus(inFlightNotional('sell'));
  const unexplained = broker.lt(lower.minus(tolerance))
    ? broker.minus(lower)
    : broker.gt(upper.plus(tolerance))
      ? broker.minus(upper)
      : Money.ZERO;
  const violations = capitalViolations({
    brokerCash: broker,
    bookCash: [...books.values()],
    pool: unallocated,
    ...(input.equity ? { bookEquity: input.equity.books, accountEquity: input.equity.account } : {}),
    // The cash identity itself is checked above, with in-flight orders and the tolerance.
    checkCashIdentity: false,
  });
  return {
    status: unexplained.isZero() && violations.length === 0 ? 'MATCH' : 'DRIFT',
    broker,
    expected,
    difference: broker.minus(expected),
    unexplained,
    books,
    unallocated,
    violations,
  };
}

/** What the capital invariants are checked on: every book's cash (LEGACY included) and the pool. */
export interface CapitalState {
  readonly brokerCash: Money;
  readonly bookCash: readonly Money[];
  readonly pool: Money;
  /** Σ book equity and the account's equity (both or neither). */
  readonly bookEquity?: Money;
  readonly accountEquity?: Money;
  /** Check broker cash = Σ book cash + pool to the cent (default); off when the caller widens it. */
  readonly checkCashIdentity?: boolean;
}

/**
 * The capital invariants of DESIGN.md §5, as the violations found (empty when they hold):
 * pool ≥ 0; broker cash = Σ book cash + LEGACY cash + pool, to the cent; Σ book equity ≤ account
 * equity (to the cent).
 */
export function capitalViolations(state: CapitalState): string[] {
  const violations: string[] = [];
  if (state.pool.isNegative()) violations.push(`the pool is negative (${state.pool})`);
  if (state.checkCashIdentity !== false) {
    const expected = Money.sum(state.bookCash).plus(state.pool);
    if (!state.brokerCash.toCents().eq(expected.toCents()))
      violations.push(
        `broker cash ${state.brokerCash} ≠ Σ book cash + pool ${expected} (off by ${state.brokerCash.minus(expected)})`,
      );
  }
  if (
    state.bookEquity !== undefined &&
    state.accountEquity !== undefined &&
    state.bookEquity.toCents().gt(state.accountEquity.toCents())
  )
    violations.push(`Σ book equity ${state.bookEquity} exceeds the account's equity ${state.accountEquity}`);
  return violations;
}
