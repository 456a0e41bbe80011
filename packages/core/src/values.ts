import { canonical, Decimal, type DecimalRounding, parseDecimal } from './decimal';

type Operand = Decimal | string | number;

function toDecimal(x: Operand): Decimal {
  if (typeof x === 'string') return parseDecimal(x);
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x))
      throw new RangeError(`only safe integers may enter decimal arithmetic as numbers, got ${x}`);
    return new Decimal(x);
  }
  return x;
}

/**
 * A decimal amount of one kind (money, quantity, price, weight). The kind is a type-level tag so
 * that `Money.plus(Quantity)` does not compile; cross-kind arithmetic goes through named functions
 * (`notional`, `quantityFor`, `shareOf`).
 */
abstract class Amount<Self extends Amount<Self>> {
  protected constructor(readonly value: Decimal) {}
  protected abstract make(value: Decimal): Self;

  plus(other: Self): Self {
    return this.make(this.value.plus(other.value));
  }
  minus(other: Self): Self {
    return this.make(this.value.minus(other.value));
  }
  /** Scales by a dimensionless factor. */
  times(factor: Operand): Self {
    return this.make(this.value.times(toDecimal(factor)));
  }
  /** Divides by a dimensionless factor. */
  dividedBy(divisor: Operand): Self {
    return this.make(this.value.dividedBy(toDecimal(divisor)));
  }
  /** The dimensionless ratio of two amounts of the same kind. */
  ratioTo(other: Self): Decimal {
    return this.value.dividedBy(other.value);
  }
  negated(): Self {
    return this.make(this.value.negated());
  }
  abs(): Self {
    return this.make(this.value.abs());
  }
  min(other: Self): Self {
    return this.value.lte(other.value) ? (this as unknown as Self) : other;
  }
  max(other: Self): Self {
    return this.value.gte(other.value) ? (this as unknown as Self) : other;
  }
  isZero(): boolean {
    return this.value.isZero();
  }
  isPositive(): boolean {
    return this.value.gt(0);
  }
  isNegative(): boolean {
    return this.value.lt(0);
  }
  eq(other: Self): boolean {
    return this.value.eq(other.value);
  }
  lt(other: Self): boolean {
    return this.value.lt(other.value);
  }
  lte(other: Self): boolean {
    return this.value.lte(other.value);
  }
  gt(other: Self): boolean {
    return this.value.gt(other.value);
  }
  gte(other: Self): boolean {
    return this.value.gte(other.value);
  }
  compare(other: Self): number {
    return this.value.comparedTo(other.value);
  }
  /** Rounds to `places` decimals, half-even unless told otherwise. */
  round(places: number, rounding: DecimalRounding = Decimal.ROUND_HALF_EVEN): Self {
    return this.make(this.value.toDecimalPlaces(places, rounding));
  }
  /** Rounds towards zero to `places` decimals (never sells or buys more than asked). */
  truncate(places: number): Self {
    return this.make(this.value.toDecimalPlaces(places, Decimal.ROUND_DOWN));
  }
  toString(): string {
    return canonical(this.value);
  }
  toJSON(): string {
    return this.toString();
  }
  /** For display and statistics only, never for arithmetic on money. */
  toNumber(): number {
    return this.value.toNumber();
  }
}

export class Money extends Amount<Money> {
  static readonly ZERO = new Money(new Decimal(0));
  static of(x: Operand): Money {
    return new Money(toDecimal(x));
  }
  static parse(text: string, what = 'money'): Money {
    return new Money(parseDecimal(text, what));
  }
  static sum(items: Iterable<Money>): Money {
    let total = Money.ZERO;
    for (const m of items) total = total.plus(m);
    return total;
  }
  protected make(value: Decimal): Money {
    return new Money(value);
  }
  /** Rounded to the cent, half-even. */
  toCents(): Money {
    return this.round(2);
  }
}

export class Quantity extends Amount<Quantity> {
  /** Alpaca accepts fractional quantities up to 9 decimals. */
  static readonly MAX_DECIMALS = 9;
  static readonly ZERO = new Quantity(new Decimal(0));
  static of(x: Operand): Quantity {
    return new Quantity(toDecimal(x));
  }
  static parse(text: string, what = 'quantity'): Quantity {
    return new Quantity(parseDecimal(text, what));
  }
  static sum(items: Iterable<Quantity>): Quantity {
    let total = Quantity.ZERO;
    for (const q of items) total = total.plus(q);
    return total;
  }
  protected make(value: Decimal): Quantity {
    return new Quantity(value);
  }
  /** Whole shares, rounded towards zero. */
  wholeShares(): Quantity {
    return this.truncate(0);
  }
}

export class Price extends Amount<Price> {
  static of(x: Operand): Price {
    return new Price(toDecimal(x));
  }
  static parse(text: string, what = 'price'): Price {
    return new Price(parseDecimal(text, what));
  }
  protected make(value: Decimal): Price {
    return new Price(value);
  }
}

/** A fraction of a whole (allocation, portfolio weight); 1 = 100%. */
export class Weight extends Amount<Weight> {
  static readonly ZERO = new Weight(new Decimal(0));
  static readonly ONE = new Weight(new Decimal(1));
  static of(x: Operand): Weight {
    return new Weight(toDecimal(x));
  }
  static parse(text: string, what = 'weight'): Weight {
    return new Weight(parseDecimal(text, what));
  }
  static sum(items: Iterable<Weight>): Weight {
    let total = Weight.ZERO;
    for (const w of items) total = total.plus(w);
    return total;
  }
  protected make(value: Decimal): Weight {
    return new Weight(value);
  }
}

/** quantity × price. */
export function notional(quantity: Quantity, price: Price): Money {
  return Money.of(quantity.value.times(price.value));
}

/** money ÷ price, exact to the library's precision; round with `truncate` before ordering. */
export function quantityFor(money: Money, price: Price): Quantity {
  if (price.value.lte(0))
    throw new RangeError(`cannot size a position at a non-positive price ${price.toString()}`);
  return Quantity.of(money.value.dividedBy(price.value));
}

/** weight × money. */
export function shareOf(weight: Weight, money: Money): Money {
  return Money.of(money.value.times(weight.value));
}

/** money ÷ money as a weight (e.g. a book's share of total equity). */
export function weightOf(part: Money, whole: Money): Weight {
  if (whole.isZero()) return Weight.ZERO;
  return Weight.of(part.value.dividedBy(whole.value));
}
