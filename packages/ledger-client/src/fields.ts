import {
  ClientOrderIdSchema,
  lazySchema,
  Money,
  Price,
  Quantity,
  RunIdSchema,
  SideSchema,
  StrategyIdSchema,
  SymbolSchema,
  TradingDateSchema,
  Weight,
} from '@books/core';
import * as z from 'zod';
import { isCanonicalInstant } from './instant';

const DECIMAL = /^-?\d+(\.\d+)?$/;

function decimal<T>(parse: (text: string) => T, what: string) {
  return z
    .string()
    .regex(DECIMAL, `${what} must be a decimal string`)
    .transform((text) => parse(text));
}

const money = lazySchema(() => decimal(Money.parse, 'money'));
const quantity = lazySchema(() => decimal(Quantity.parse, 'quantity'));
const price = lazySchema(() => decimal(Price.parse, 'price'));
const weight = lazySchema(() => decimal(Weight.parse, 'weight'));
const count = lazySchema(() =>
  z
    .string()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .refine(Number.isSafeInteger, 'must be a safe integer'),
);
const instant = lazySchema(() =>
  z.string().refine(isCanonicalInstant, 'must be an instant YYYY-MM-DDTHH:mm:ss.sssZ'),
);
const orderId = lazySchema(() => z.string().min(1));

/**
 * Field schemas for reading items (numbers arrive as text: see attribute-codec `Read`). Each is
 * built on its first read (lazySchema), then kept: the record schemas that use them are built on
 * their first decode, and a function's load builds none of them.
 */
export const field = {
  get money() {
    return money();
  },
  get quantity() {
    return quantity();
  },
  get price() {
    return price();
  },
  get weight() {
    return weight();
  },
  /** A safe non-negative integer stored as N (versions, counters). */
  get count() {
    return count();
  },
  get instant() {
    return instant();
  },
  strategyId: StrategyIdSchema,
  runId: RunIdSchema,
  clientOrderId: ClientOrderIdSchema,
  symbol: SymbolSchema,
  side: SideSchema,
  tradingDate: TradingDateSchema,
  get orderId() {
    return orderId();
  },
} as const;
