import {
  ClientOrderIdSchema,
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

/** Field schemas for reading items (numbers arrive as text: see attribute-codec `Read`). */
export const field = {
  money: decimal(Money.parse, 'money'),
  quantity: decimal(Quantity.parse, 'quantity'),
  price: decimal(Price.parse, 'price'),
  weight: decimal(Weight.parse, 'weight'),
  /** A safe non-negative integer stored as N (versions, counters). */
  count: z
    .string()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .refine(Number.isSafeInteger, 'must be a safe integer'),
  instant: z.string().refine(isCanonicalInstant, 'must be an instant YYYY-MM-DDTHH:mm:ss.sssZ'),
  strategyId: StrategyIdSchema,
  runId: RunIdSchema,
  clientOrderId: ClientOrderIdSchema,
  symbol: SymbolSchema,
  side: SideSchema,
  tradingDate: TradingDateSchema,
  orderId: z.string().min(1),
} as const;
