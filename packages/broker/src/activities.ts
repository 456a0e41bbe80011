import { fromAlpacaSymbol, JsonNumber, type JsonValue } from '@books/alpaca';
import {
  deferredSchema,
  lazySchema,
  Money,
  Price,
  parseDecimal,
  Quantity,
  type Symbol,
  SymbolSchema,
  TradingDate,
  TradingDateSchema,
} from '@books/core';
import * as z from 'zod';

/**
 * The account's non-trade activities (Alpaca `GET /v2/account/activities`, the spec's
 * NonTradeActivities rows), typed. One home for reading a row: the Alpaca adapter and the
 * simulated broker (whose stored rows are in Alpaca's shape) both parse through `toActivity`.
 *
 * Every row becomes an activity: a row of a type the project does not model, or one that does
 * not read as its type says, is `unsupported` with its raw row and the reason, never an error.
 */

/** A row as Alpaca wrote it; JSON numbers kept as their source text. */
export type RawActivityValue = string | boolean | null | readonly RawActivityValue[] | RawActivityRow;
export interface RawActivityRow {
  readonly [field: string]: RawActivityValue;
}

export const ACTIVITY_STATUSES = ['executed', 'correct', 'canceled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** Alpaca's activity types that pay or charge cash per share held of a symbol. */
export const DIVIDEND_TYPES = [
  'DIV',
  'DIVCGL',
  'DIVCGS',
  'DIVFEE',
  'DIVFT',
  'DIVNRA',
  'DIVROC',
  'DIVTW',
  'DIVTXEX',
  'CGD',
] as const;
/** Alpaca's activity types that move account cash with no position involved. */
export const ACCOUNT_CASH_TYPES = [
  'CSD',
  'CSW',
  'INT',
  'INTNRA',
  'INTTW',
  'FEE',
  'PTC',
  'PTR',
  'JNLC',
] as const;
export type AccountCashType = (typeof ACCOUNT_CASH_TYPES)[number];
export type DividendType = (typeof DIVIDEND_TYPES)[number];
export type SplitType = 'forward' | 'reverse' | 'unit';

interface ActivityBase {
  /** Alpaca's activity id (`{time}::{uuid}`): the idempotency key of whoever posts it. */
  readonly id: string;
  readonly activityType: string;
  readonly subType: string | null;
  /** The date the activity occurred or settled (Alpaca's `date`). */
  readonly date: TradingDate;
  readonly createdAt: Date | null;
  /** `executed`; `correct` and `canceled` rows amend an earlier one (see Alpaca's docs). */
  readonly status: ActivityStatus;
  readonly groupId: string | null;
  readonly raw: RawActivityRow;
}

/** DIV and its variants, CGD: cash for shares of `symbol` held (negative for DIVFEE and withholdings). */
export interface DividendActivity extends ActivityBase {
  readonly kind: 'dividend';
  readonly dividendType: DividendType;
  readonly symbol: Symbol;
  readonly netAmount: Money;
  readonly perShareAmount: Price | null;
  /** The shares that earned it. */
  readonly qty: Quantity | null;
}

/** New shares for old (`ratio.to` for `ratio.from`); a fraction left over is paid as cash in lieu. */
export interface SplitRatio {
  readonly from: string;
  readonly to: string;
}

/** SPLIT (FSPLIT / RSPLIT / USPLIT). */
export interface SplitActivity extends ActivityBase {
  readonly kind: 'split';
  readonly splitType: SplitType;
  readonly symbol: Symbol;
  /** Shares added (positive) or removed (negative) by the split, as the row's `qty` says; 0 when absent. */
  readonly qtyChange: Quantity;
  /** Cash paid for the fraction of a share the split would leave (`net_amount`); 0 when none. */
  readonly cashInLieu: Money;
  /** From the row's description ("2:1", "1-for-10"); null when the row does not state it. */
  readonly ratio: SplitRatio | null;
}

/** NC, MA, SPIN, JNLS, REORG: shares of `symbol` in or out (`qty` signed as written), with any cash. */
export interface SecurityMoveActivity extends ActivityBase {
  readonly kind: 'name_change' | 'merger' | 'spinoff' | 'stock_journal' | 'reorg';
  readonly symbol: Symbol;
  readonly qty: Quantity;
  readonly netAmount: Money;
}

/** CSD, CSW, INT (and withholdings), FEE, PTC, PTR, JNLC: account cash, signed as Alpaca writes it. */
export interface AccountCashActivity extends ActivityBase {
  readonly kind: 'account_cash';
  readonly cashType: AccountCashType;
  readonly netAmount: Money;
  /** Set when the row names a symbol (a per-trade fee, say). */
  readonly symbol: Symbol | null;
}

/** A row the project does not model (ACATS, options, crypto fees, …) or cannot read as its type says. */
export interface UnsupportedActivity extends ActivityBase {
  readonly kind: 'unsupported';
  readonly reason: string;
}

export type NonTradeActivity =
  | DividendActivity
  | SplitActivity
  | SecurityMoveActivity
  | AccountCashActivity
  | UnsupportedActivity;
export type NonTradeActivityKind = NonTradeActivity['kind'];

/**
 * `after` narrows the listing, as a hint: Alpaca filters on when a row was created, the simulated
 * broker on the activity's date. Whoever posts activities does so once per activity id, whatever
 * window it asked for.
 */
export interface ListActivitiesQuery {
  /** Activities on or after this date (a date), or created after this instant. */
  readonly after?: TradingDate | Date;
  /** Alpaca activity types to list (e.g. ['DIV', 'SPLIT']); all non-trade types when absent. */
  readonly types?: readonly string[];
}

/** The fields every row must have to be an activity at all (else the listing is malformed). */
export const ActivityEnvelope = deferredSchema(() =>
  z.object({
    id: z.string().min(1),
    activity_type: z.string().min(1),
  }),
);

/**
 * The NonTradeActivities fields we read; unknown fields are ignored. Built at the first row read
 * (lazySchema), as the envelope: most functions load this module and never read an activity.
 */
const RowFields = lazySchema(() => {
  const text = z.string();
  const decimalText = z.union([z.string(), z.instanceof(JsonNumber)]).transform((v, ctx) => {
    const t = typeof v === 'string' ? v : v.toDecimalString();
    try {
      parseDecimal(t);
      return t;
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a decimal, got ${JSON.stringify(t)}` });
      return z.NEVER;
    }
  });
  const symbol = text.pipe(SymbolSchema).transform(fromAlpacaSymbol);
  return z.object({
    id: z.string().min(1),
    activity_type: z.string().min(1),
    activity_sub_type: text.nullish(),
    date: text.transform((v) => v.slice(0, 10)).pipe(TradingDateSchema),
    created_at: text.nullish(),
    status: z.enum(ACTIVITY_STATUSES).optional(),
    group_id: text.nullish(),
    symbol: symbol.nullish(),
    qty: decimalText.nullish(),
    net_amount: decimalText.nullish(),
    per_share_amount: decimalText.nullish(),
    description: text.nullish(),
  });
});

/** Reads one row. `raw` must already satisfy ActivityEnvelope (id and activity_type). */
export function toActivity(raw: RawActivityRow): NonTradeActivity {
  const envelope = ActivityEnvelope.parse(raw);
  const parsed = RowFields().safeParse(raw);
  if (!parsed.success) {
    return {
      kind: 'unsupported',
      id: envelope.id,
      activityType: envelope.activity_type,
      subType: null,
      date: dateOrEpoch(raw.date),
      createdAt: null,
      status: 'executed',
      groupId: null,
      raw,
      reason: parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '),
    };
  }
  const r = parsed.data;
  const createdAt = r.created_at ? new Date(r.created_at) : null;
  const base: ActivityBase = {
    id: r.id,
    activityType: r.activity_type,
    subType: r.activity_sub_type ?? null,
    date: r.date,
    createdAt: createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt : null,
    status: r.status ?? 'executed',
    groupId: r.group_id ?? null,
    raw,
  };
  const unsupported = (reason: string): UnsupportedActivity => ({ ...base, kind: 'unsupported', reason });
  const money = (v: string | null | undefined) => (v == null ? Money.ZERO : Money.parse(v));
  const type = r.activity_type;

  if (isOneOf(DIVIDEND_TYPES, type)) {
    if (!r.symbol) return unsupported(`${type} without a symbol`);
    if (r.net_amount == null) return unsupported(`${type} without a net_amount`);
    return {
      ...base,
      kind: 'dividend',
      dividendType: type,
      symbol: r.symbol,
      netAmount: Money.parse(r.net_amount),
      perShareAmount: r.per_share_amount == null ? null : Price.parse(r.per_share_amount),
      qty: r.qty == null ? null : Quantity.parse(r.qty),
    };
  }
  if (type === 'SPLIT') {
    if (!r.symbol) return unsupported('SPLIT without a symbol');
    const splitType = splitTypeOf(r.activity_sub_type);
    if (!splitType) return unsupported(`SPLIT of unknown sub-type ${JSON.stringify(r.activity_sub_type)}`);
    return {
      ...base,
      kind: 'split',
      splitType,
      symbol: r.symbol,
      qtyChange: r.qty == null ? Quantity.ZERO : Quantity.parse(r.qty),
      cashInLieu: money(r.net_amount),
      ratio: ratioIn(r.description),
    };
  }
  const move = SECURITY_MOVES[type];
  if (move) {
    if (!r.symbol) return unsupported(`${type} without a symbol`);
    if (r.qty == null) return unsupported(`${type} without a qty`);
    return {
      ...base,
      kind: move,
      symbol: r.symbol,
      qty: Quantity.parse(r.qty),
      netAmount: money(r.net_amount),
    };
  }
  if (isOneOf(ACCOUNT_CASH_TYPES, type)) {
    if (r.net_amount == null) return unsupported(`${type} without a net_amount`);
    return {
      ...base,
      kind: 'account_cash',
      cashType: type,
      netAmount: Money.parse(r.net_amount),
      symbol: r.symbol ?? null,
    };
  }
  return unsupported(`activity type ${type} is not modelled`);
}

/** A JSON value read losslessly, as a raw row value: numbers as their source text. */
export function rawValueOf(value: JsonValue): RawActivityValue {
  if (value instanceof JsonNumber) return value.source;
  if (Array.isArray(value)) return value.map(rawValueOf);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, RawActivityValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rawValueOf(v);
    return out;
  }
  return value;
}

/** A listing's element as a raw row; undefined when it is not a JSON object. */
export function rawRowOf(value: JsonValue): RawActivityRow | undefined {
  const raw = rawValueOf(value);
  return isRawRow(raw) ? raw : undefined;
}

function isRawRow(v: RawActivityValue): v is RawActivityRow {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether an activity passes a query's `after` and `types` (for adapters that filter locally). */
export function matchesQuery(a: NonTradeActivity, q: ListActivitiesQuery): boolean {
  if (q.types && !q.types.includes(a.activityType)) return false;
  if (q.after === undefined) return true;
  if (typeof q.after === 'string') return a.date >= q.after;
  return (a.createdAt ?? new Date(`${a.date}T00:00:00Z`)) > q.after;
}

const SECURITY_MOVES: Readonly<Record<string, SecurityMoveActivity['kind']>> = {
  NC: 'name_change',
  MA: 'merger',
  SPIN: 'spinoff',
  JNLS: 'stock_journal',
  REORG: 'reorg',
};

function splitTypeOf(sub: string | null | undefined): SplitType | undefined {
  if (sub === 'FSPLIT') return 'forward';
  if (sub === 'RSPLIT') return 'reverse';
  if (sub === 'USPLIT') return 'unit';
  return undefined;
}

const RATIO = /(\d+(?:\.\d+)?)\s*(?::|-for-)\s*(\d+(?:\.\d+)?)/i;

/** "2:1" / "2-for-1": 2 new shares for 1 old. */
function ratioIn(description: string | null | undefined): SplitRatio | null {
  const m = description ? RATIO.exec(description) : null;
  return m ? { to: m[1] as string, from: m[2] as string } : null;
}

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

function dateOrEpoch(value: RawActivityValue | undefined): TradingDate {
  const parsed = TradingDateSchema.safeParse(typeof value === 'string' ? value.slice(0, 10) : '');
  return parsed.success ? parsed.data : TradingDate('1970-01-01');
}
