import DecimalJs from 'decimal.js';

/**
 * The one decimal library of the project, configured once. 40 significant digits is far beyond
 * any price × quantity we meet; operations are exact for +, −, × of our inputs, and division rounds
 * half-even at that precision.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

export class DecimalParseError extends Error {
  override readonly name = 'DecimalParseError';
  constructor(
    readonly input: unknown,
    readonly what: string,
  ) {
    super(`${what}: ${JSON.stringify(input)} is not a decimal string (expected e.g. "12.34")`);
  }
}

/** Parses a plain decimal string ("-12.5", "0.001"); rejects exponents, NaN, Infinity, blanks. */
export function parseDecimal(input: string, what = 'value'): Decimal {
  const trimmed = input.trim();
  if (!DECIMAL_STRING.test(trimmed)) throw new DecimalParseError(input, what);
  return new Decimal(trimmed);
}

/** Canonical text: no exponent, no trailing zeros, no "-0". */
export function canonical(d: Decimal): string {
  if (d.isZero()) return '0';
  return d.toFixed();
}

export type DecimalRounding = DecimalJs.Rounding;
