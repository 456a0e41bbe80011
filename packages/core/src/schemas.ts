import * as z from 'zod';
import { DecimalParseError } from './decimal';
import { Money, Price, Quantity, Weight } from './values';

function decimalSchema<T>(what: string, parse: (text: string, what: string) => T) {
  return z.string({ error: () => `${what} must be a decimal string` }).transform((text, ctx) => {
    try {
      return parse(text, what);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof DecimalParseError ? e.message : String(e) });
      return z.NEVER;
    }
  });
}

/** Decimal strings at a boundary (messages, items, payloads) parsed straight into value types. */
export const MoneySchema = decimalSchema('money', (t, w) => Money.parse(t, w));
export const QuantitySchema = decimalSchema('quantity', (t, w) => Quantity.parse(t, w));
export const PriceSchema = decimalSchema('price', (t, w) => Price.parse(t, w));
export const WeightSchema = decimalSchema('weight', (t, w) => Weight.parse(t, w));

/** An ISO-8601 instant with a zone, e.g. 2026-11-24T20:30:00.000Z. */
export const InstantSchema = z.iso.datetime({ offset: true });
