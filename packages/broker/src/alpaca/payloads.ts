import { fromAlpacaSymbol, JsonNumber } from '@books/alpaca';
import {
  ClientOrderIdSchema,
  deferredSchema,
  lazySchema,
  Money,
  Price,
  parseDecimal,
  Quantity,
  SideSchema,
  SymbolSchema,
  TradingDateSchema,
} from '@books/core';
import * as z from 'zod';
import { MalformedBrokerPayload } from '../errors';
import { BrokerOrderId, ORDER_STATUSES } from '../port';

/**
 * Zod schemas of the Alpaca Trading API v2 and Market Data v2 payloads we read. Bodies are parsed
 * with `parseJsonLossless`, so a JSON number reaches these schemas as `JsonNumber` (its source
 * text) and decimals are built from text only. Unknown fields are ignored. Each is built at its
 * first read (deferredSchema): most functions load this module and never read Alpaca.
 */

const missingOr = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'missing' : `expected ${expected}, got ${describe(issue.input)}`;

function describe(input: unknown): string {
  if (input instanceof JsonNumber) return `number ${input.source}`;
  if (input === null) return 'null';
  if (typeof input === 'string') return JSON.stringify(input);
  return typeof input;
}

/** A core schema over a string field, saying `missing` when the field is absent. */
const textAs = <S extends z.ZodType<unknown, string>>(expected: string, schema: S) =>
  z.string({ error: missingOr(expected) }).pipe(schema);

/**
 * The field schemas the payloads share, built with the first payload read (lazySchema): a
 * function that never reads an Alpaca payload (the embedded stack's) never builds them.
 */
const fields = lazySchema(() => {
  const decimalText = z
    .union([z.string(), z.instanceof(JsonNumber)], { error: missingOr('a decimal') })
    .transform((v, ctx) => {
      const text = typeof v === 'string' ? v : v.toDecimalString();
      try {
        parseDecimal(text);
        return text;
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a decimal, got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
    });
  return {
    money: decimalText.transform((t) => Money.parse(t)),
    quantity: decimalText.transform((t) => Quantity.parse(t)),
    price: decimalText.transform((t) => Price.parse(t)),
    instant: z.string({ error: missingOr('a timestamp') }).transform((v, ctx) => {
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) {
        ctx.addIssue({ code: 'custom', message: `expected a timestamp, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return d;
    }),
    integer: z.instanceof(JsonNumber, { error: missingOr('an integer') }).transform((v, ctx) => {
      if (!/^-?\d{1,15}$/.test(v.source)) {
        ctx.addIssue({ code: 'custom', message: `expected an integer, got ${v.source}` });
        return z.NEVER;
      }
      return Number(v.source);
    }),
    /** Alpaca's equity symbol, read as ours (`BRK.B` → `BRK/B`: the one mapping of @books/alpaca). */
    symbol: textAs('a ticker', SymbolSchema).transform(fromAlpacaSymbol),
    bool: z.boolean({ error: missingOr('a boolean') }),
    text: z.string({ error: missingOr('a string') }),
  };
});

export const AccountPayload = deferredSchema(() => {
  const { money } = fields();
  return z.object({
    equity: money,
    cash: money,
    buying_power: money,
  });
});

/** Alpaca's asset classes; the project trades `us_equity` only. */
export const PROJECT_ASSET_CLASS = 'us_equity';

export const PositionPayload = deferredSchema(() => {
  const { symbol, quantity, price, money } = fields();
  return z.object({
    symbol,
    /** Alpaca writes a short's qty negative, but the side is what says it is short. */
    qty: quantity,
    side: z.enum(['long', 'short'], { error: missingOr('"long" or "short"') }),
    avg_entry_price: price,
    market_value: money,
  });
});

/**
 * What decides whether a listed row is the project's at all, read before the row itself: a row of
 * another class (an option, a crypto pair, a multi-leg order) has other fields and symbols, and
 * must not make the whole listing unreadable.
 */
export const PositionClassPayload = deferredSchema(() =>
  z.object({ asset_class: fields().text, symbol: z.string().optional() }),
);
export const OrderClassPayload = deferredSchema(() =>
  z.object({
    asset_class: z.string().optional(),
    order_class: z.string().optional(),
    symbol: z.string().optional(),
    id: z.string().optional(),
  }),
);
export const RowsPayload = deferredSchema(() => z.array(z.unknown(), { error: missingOr('an array') }));

export const ClockPayload = deferredSchema(() => {
  const { instant, bool } = fields();
  return z.object({
    timestamp: instant,
    is_open: bool,
    next_open: instant,
    next_close: instant,
  });
});

export const CalendarDayPayload = deferredSchema(() => {
  const { text } = fields();
  return z.object({
    date: textAs('a date', TradingDateSchema),
    open: text.regex(/^([01]\d|2[0-3]):?[0-5]\d$/, 'expected a time HH:MM'),
    close: text.regex(/^([01]\d|2[0-3]):?[0-5]\d$/, 'expected a time HH:MM'),
  });
});
export const CalendarPayload = deferredSchema(() => z.array(CalendarDayPayload.unwrap()));

export const AssetPayload = deferredSchema(() => {
  const { symbol, bool } = fields();
  return z.object({
    symbol,
    status: z.enum(['active', 'inactive'], { error: missingOr('"active" or "inactive"') }),
    tradable: bool,
    fractionable: bool,
  });
});

export const OrderPayload = deferredSchema(() => {
  const { text, symbol, quantity, money, price, instant } = fields();
  return z
    .object({
      id: text.min(1).transform(BrokerOrderId),
      client_order_id: textAs('a client order id', ClientOrderIdSchema),
      symbol,
      side: textAs('"buy" or "sell"', SideSchema),
      type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'], {
        error: missingOr('an order type'),
      }),
      status: z.enum(ORDER_STATUSES, { error: missingOr('an order status') }),
      qty: quantity.nullable(),
      notional: money.nullable().optional(),
      limit_price: price.nullable().optional(),
      filled_qty: quantity,
      filled_avg_price: price.nullable(),
      /** Null while Alpaca has not routed the order yet (the spec allows it); then created_at stands in. */
      submitted_at: instant.nullable().optional(),
      created_at: instant.nullable().optional(),
      filled_at: instant.nullable(),
      /** Set on a `replaced` order: the id of the order that replaced it. */
      replaced_by: text.nullable().optional(),
    })
    .transform((o, ctx) => {
      const submittedAt = o.submitted_at ?? o.created_at;
      if (!submittedAt) {
        ctx.addIssue({ code: 'custom', path: ['submitted_at'], message: 'missing, and no created_at' });
        return z.NEVER;
      }
      return { ...o, submittedAt };
    });
});

export const LatestTradesPayload = deferredSchema(() => {
  const { price, instant } = fields();
  return z.object({
    trades: z.record(
      z.string(),
      z.object({
        p: price,
        t: instant,
      }),
    ),
  });
});

/** Alpaca's error body: `{ "code": 40010001, "message": "..." }` (code absent on some gateways). */
export const ErrorPayload = deferredSchema(() => {
  const { integer, text } = fields();
  return z.object({
    code: integer.optional(),
    message: text,
  });
});

/** Parses a payload or throws MalformedBrokerPayload naming the endpoint and every bad field. */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  body: unknown,
  endpoint: string,
  /** Where the body sits in the document, for messages: `0.` for the first row of a listing. */
  pathPrefix = '',
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    return `${path === '' ? (pathPrefix === '' ? '(body)' : pathPrefix.slice(0, -1)) : `${pathPrefix}${path}`}: ${i.message}`;
  });
  throw new MalformedBrokerPayload(endpoint, problems, { cause: result.error });
}
