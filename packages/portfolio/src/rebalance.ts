import {
  Decimal,
  Money,
  notional,
  type Price,
  Quantity,
  quantityFor,
  type Side,
  type Symbol,
  shareOf,
  Weight,
} from '@books/core';
import type { Book } from './book';
import { InvalidPlanInputError, MissingPriceError } from './errors';
import { compareText } from './lots';
import { quantitiesOf } from './valuation';

/**
 * Rebalance planning for one book (the per-strategy worker and the legacy planner both use it).
 *
 * Contract:
 * - target value = weight × capital; delta = target value − held qty × price (planning prices).
 * - SELLs never exceed the book's own open quantity. An exit (symbol held, target weight absent or
 *   0) sells exactly the held quantity, odd fractions included, fractionable or not.
 * - Quantities: fractionable symbols truncate to 9 decimals, others to whole shares (a symbol
 *   missing from `assets` is treated as not fractionable). Truncation never trades more than asked.
 * - Band (`rebalanceThreshold`, absolute weight points of capital): a resize of a symbol that is
 *   both held and targeted is suppressed when |delta| ≤ threshold × capital. Entries and exits are
 *   never suppressed by the band.
 * - Minimum notional (default $1): any trade whose estimated value is below it is suppressed,
 *   exits included (the dust stays in the book and is reported).
 * - Buy sizing: Σ buys ≤ book cash + Σ planned sell proceeds − cash reserve (`cashReserve` ×
 *   capital, kept in cash so that the broker's buying-power check of a market BUY, made at a price
 *   a few percent above the last trade, passes on a fully invested book), estimated at planning
 *   prices, no fee reserve. When buys would spend more, every buy is scaled by the same factor and
 *   re-truncated, then whole-share buys take back shares from what truncation left, in symbol
 *   order; a buy that falls to zero or under the minimum is suppressed `insufficient-cash`.
 * - Output is sorted by symbol; each (symbol, side) has one order, `leg` 0.
 * Weights must be ≥ 0 and sum to at most 1 (the remainder stays cash), with WEIGHT_SUM_TOLERANCE
 * for decimal rounding of fractions like 1/3.
 */
export interface AssetInfo {
  readonly fractionable: boolean;
}

/** Holdings without lots, e.g. the legacy book (broker − Σ books). */
export interface Holdings {
  readonly positions: ReadonlyMap<Symbol, Quantity>;
  readonly cash: Money;
}

export interface RebalanceInput {
  /** A book (its lots are summed per symbol) or plain holdings. */
  readonly book: Pick<Book, 'lots' | 'cash'> | Holdings;
  readonly targets: ReadonlyMap<Symbol, Weight>;
  readonly capital: Money;
  readonly prices: ReadonlyMap<Symbol, Price>;
  readonly assets: ReadonlyMap<Symbol, AssetInfo>;
  readonly minNotional?: Money;
  readonly rebalanceThreshold?: Weight;
  /** The share of capital the plan leaves in cash (the config's `cashReserve`); 0 when absent. */
  readonly cashReserve?: Weight;
}

export type TradeReason = 'exit' | 'reduce' | 'enter' | 'increase';
export const SUPPRESSION_REASONS = [
  'below-minimum-notional',
  'within-band',
  'rounds-to-zero',
  'insufficient-cash',
  /** A trading limit (limits.ts): the book's or the account's daily notional cap. */
  'over-notional-cap',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface PlannedTrade {
  readonly symbol: Symbol;
  readonly side: Side;
  readonly qty: Quantity;
  readonly price: Price;
  readonly estimatedValue: Money;
  readonly currentValue: Money;
  readonly targetValue: Money;
  readonly reason: TradeReason;
  /** Index of this order within its (symbol, side); input of the deterministic client order id. */
  readonly leg: number;
}

export interface SuppressedTrade {
  readonly symbol: Symbol;
  readonly side: Side;
  /** The quantity that would have been traded (before rounding for `rounds-to-zero`). */
  readonly qty: Quantity;
  readonly value: Money;
  readonly reason: SuppressionReason;
  /** What the reason's rule said, when it has more to say (the cap and what it left). */
  readonly detail?: string;
}

export interface RebalancePlan {
  readonly sells: readonly PlannedTrade[];
  readonly buys: readonly PlannedTrade[];
  readonly suppressed: readonly SuppressedTrade[];
  /** Book cash after all planned trades at planning prices; not negative unless the cash was. */
  readonly estimatedCashAfter: Money;
}

export const DEFAULT_MIN_NOTIONAL = Money.of(1);
export const WEIGHT_SUM_TOLERANCE = Weight.of('0.000000000001');

function roundQty(qty: Quantity, fractionable: boolean): Quantity {
  return fractionable ? qty.truncate(Quantity.MAX_DECIMALS) : qty.wholeShares();
}

export function planRebalance(input: RebalanceInput): RebalancePlan {
  const minNotional = input.minNotional ?? DEFAULT_MIN_NOTIONAL;
  const held = 'lots' in input.book ? quantitiesOf(input.book) : nonZero(input.book.positions);
  validate(input, held, minNotional);
  const band =
    input.rebalanceThreshold === undefined ? null : shareOf(input.rebalanceThreshold, input.capital);

  const symbols = [...new Set([...held.keys(), ...input.targets.keys()])].sort(compareText);
  const sells: PlannedTrade[] = [];
  const wantedBuys: PlannedTrade[] = [];
  const suppressed: SuppressedTrade[] = [];

  for (const symbol of symbols) {
    const qtyHeld = held.get(symbol) ?? Quantity.ZERO;
    const weight = input.targets.get(symbol) ?? Weight.ZERO;
    const price = input.prices.get(symbol);
    if (price === undefined) continue; // only untargeted, unheld symbols: validate checked the rest
    const fractionable = input.assets.get(symbol)?.fractionable ?? false;
    const currentValue = notional(qtyHeld, price);
    const targetValue = shareOf(weight, input.capital);
    const delta = targetValue.minus(currentValue);
    const base = { symbol, price, currentValue, targetValue, leg: 0 };

    if (weight.isZero()) {
      if (!qtyHeld.isPositive()) continue;
      const exit: PlannedTrade = {
        ...base,
        side: 'sell',
        qty: qtyHeld,
        estimatedValue: currentValue,
        reason: 'exit',
      };
      if (currentValue.lt(minNotional)) suppressed.push(suppression(exit, 'below-minimum-notional'));
      else sells.push(exit);
      continue;
    }
    if (delta.isZero()) continue;

    const side: Side = delta.isNegative() ? 'sell' : 'buy';
    const wanted = quantityFor(delta.abs(), price);
    if (qtyHeld.isPositive() && band !== null && delta.abs().lte(band)) {
      suppressed.push({ symbol, side, qty: wanted, value: delta.abs(), reason: 'within-band' });
      continue;
    }
    const rounded = roundQty(wanted, fractionable);
    const qty = side === 'sell' ? rounded.min(qtyHeld) : rounded;
    if (qty.isZero()) {
      suppressed.push({ symbol, side, qty: wanted, value: delta.abs(), reason: 'rounds-to-zero' });
      continue;
    }
    const reason: TradeReason = side === 'sell' ? 'reduce' : qtyHeld.isPositive() ? 'increase' : 'enter';
    const trade: PlannedTrade = { ...base, side, qty, estimatedValue: notional(qty, price), reason };
    if (trade.estimatedValue.lt(minNotional)) suppressed.push(suppression(trade, 'below-minimum-notional'));
    else if (side === 'sell') sells.push(trade);
    else wantedBuys.push(trade);
  }

  const proceeds = Money.sum(sells.map((t) => t.estimatedValue));
  const cash = input.book.cash.plus(proceeds);
  const reserve = input.cashReserve ? shareOf(input.cashReserve, input.capital) : Money.ZERO;
  const available = cash.minus(reserve).max(Money.ZERO);
  const buys = fitBuysToCash(wantedBuys, available, minNotional, input.assets, suppressed);
  const spent = Money.sum(buys.map((t) => t.estimatedValue));
  suppressed.sort((a, b) => compareText(a.symbol, b.symbol) || compareText(a.side, b.side));
  return { sells, buys, suppressed, estimatedCashAfter: cash.minus(spent) };
}

function nonZero(positions: ReadonlyMap<Symbol, Quantity>): ReadonlyMap<Symbol, Quantity> {
  const negative = [...positions].filter(([, q]) => q.isNegative()).map(([s]) => s);
  if (negative.length > 0)
    throw new InvalidPlanInputError(`negative holdings of ${negative.join(', ')}`, { symbols: negative });
  return new Map([...positions].filter(([, q]) => q.isPositive()));
}

function suppression(trade: PlannedTrade, reason: SuppressionReason): SuppressedTrade {
  return { symbol: trade.symbol, side: trade.side, qty: trade.qty, value: trade.estimatedValue, reason };
}

/** Fits buys to `available` cash (the rule of planRebalance's contract); what no longer fits is pushed to `suppressed`. */
export function fitBuysToCash(
  buys: readonly PlannedTrade[],
  available: Money,
  minNotional: Money,
  assets: ReadonlyMap<Symbol, AssetInfo>,
  suppressed: SuppressedTrade[],
): PlannedTrade[] {
  const total = Money.sum(buys.map((t) => t.estimatedValue));
  if (total.lte(available)) return [...buys];
  const scale = available.isPositive() ? available.ratioTo(total) : new Decimal(0);
  const fractionable = (s: Symbol): boolean => assets.get(s)?.fractionable ?? false;
  const qtys = buys.map((b) => roundQty(b.qty.times(scale), fractionable(b.symbol)));
  // Whole-share buys lose up to a share each to truncation: spend what is left on whole shares,
  // in symbol order, never beyond what each buy wanted.
  let left = available.minus(Money.sum(buys.map((b, i) => notional(qtys[i] ?? Quantity.ZERO, b.price))));
  buys.forEach((b, i) => {
    const q = qtys[i] ?? Quantity.ZERO;
    if (fractionable(b.symbol) || !left.isPositive()) return;
    const affordable = quantityFor(left, b.price).wholeShares();
    const extra = b.qty.minus(q).min(affordable);
    if (!extra.isPositive()) return;
    qtys[i] = q.plus(extra);
    left = left.minus(notional(extra, b.price));
  });
  const fitted: PlannedTrade[] = [];
  buys.forEach((b, i) => {
    const qty = qtys[i] ?? Quantity.ZERO;
    const estimatedValue = notional(qty, b.price);
    if (qty.isZero() || estimatedValue.lt(minNotional)) suppressed.push(suppression(b, 'insufficient-cash'));
    else fitted.push({ ...b, qty, estimatedValue });
  });
  return fitted;
}

function validate(input: RebalanceInput, held: ReadonlyMap<Symbol, Quantity>, minNotional: Money): void {
  if (input.capital.isNegative()) throw new InvalidPlanInputError(`capital ${input.capital} is negative`);
  if (minNotional.isNegative())
    throw new InvalidPlanInputError(`minimum notional ${minNotional} is negative`);
  if (input.rebalanceThreshold?.isNegative())
    throw new InvalidPlanInputError(`rebalance threshold ${input.rebalanceThreshold} is negative`);
  const negative = [...input.targets].filter(([, w]) => w.isNegative()).map(([s]) => s);
  if (negative.length > 0)
    throw new InvalidPlanInputError(`negative target weight for ${negative.join(', ')}`, {
      symbols: negative,
    });
  const sum = Weight.sum(input.targets.values());
  if (sum.gt(Weight.ONE.plus(WEIGHT_SUM_TOLERANCE)))
    throw new InvalidPlanInputError(`target weights sum to ${sum}, above 1`, { sum: sum.toString() });
  const needed = [
    ...new Set([...held.keys(), ...[...input.targets].filter(([, w]) => w.isPositive()).map(([s]) => s)]),
  ];
  const missing = needed.filter((s) => !input.prices.has(s)).sort(compareText);
  if (missing.length > 0) throw new MissingPriceError(missing);
  const nonPositive = needed.filter((s) => !(input.prices.get(s)?.isPositive() ?? false));
  if (nonPositive.length > 0)
    throw new InvalidPlanInputError(`non-positive price for ${nonPositive.join(', ')}`, {
      symbols: nonPositive,
    });
}
