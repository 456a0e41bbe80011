import { lazySchema, type StrategyId, type TradingDate } from '@books/core';
import type { BookPosting } from '@books/portfolio';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * A broker activity's share posted to one book (`STRATEGY#{sid}#BOOK` / `ACTIVITY#{activityId}`):
 * the posting the book folded (`portfolio/activity-postings.ts`), kept so that a rebuild of the
 * book from the ledger (trades, transfers, postings) equals the stored book. Written once per
 * activity id, in the activity's transaction with the book's lots and cash.
 */
export interface StoredBookActivity {
  readonly strategyId: StrategyId;
  readonly activityId: string;
  readonly posting: BookPosting;
}

const decimal = lazySchema(() => z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string'));
const PostingSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('income'),
      id: z.string().min(1),
      at: field.instant,
      symbol: field.symbol.nullable(),
      amount: field.money,
    }),
    z.object({
      kind: z.literal('split'),
      id: z.string().min(1),
      at: field.instant,
      symbol: field.symbol,
      from: decimal(),
      to: decimal(),
      keepQty: field.quantity,
      cash: field.money,
    }),
    z.object({
      kind: z.literal('rename'),
      id: z.string().min(1),
      at: field.instant,
      symbol: field.symbol,
      newSymbol: field.symbol,
    }),
  ]),
);

const jsonText = lazySchema(() =>
  z.string().transform((text, ctx) => {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  }),
);

const BookActivitySchema = lazySchema(() =>
  z
    .object({
      strategy_id: field.strategyId,
      activity_id: z.string().min(1),
      posting_json: jsonText().pipe(PostingSchema()),
    })
    .transform(
      (r): StoredBookActivity => ({
        strategyId: r.strategy_id,
        activityId: r.activity_id,
        posting: r.posting_json,
      }),
    ),
);

export function encodeBookActivity(a: StoredBookActivity): Item {
  return toItem({
    ...keys.bookActivity(a.strategyId, a.activityId),
    entity: 'BOOK_ACTIVITY',
    strategy_id: a.strategyId,
    activity_id: a.activityId,
    kind: a.posting.kind,
    at: canonicalInstant(a.posting.at, 'at'),
    posting_json: JSON.stringify({ ...a.posting, at: canonicalInstant(a.posting.at, 'at') }),
  });
}

export function decodeBookActivity(item: Item): StoredBookActivity {
  return decodeItem(BookActivitySchema(), item, 'book activity');
}

/**
 * What became of a broker activity: `posted` to the books or the pool; `pending` when it could not
 * be attributed (the operator's queue, `books activities`: a named break until resolved);
 * `resolved` by the operator (after `books adjust`); `before-ledger` for an activity dated before
 * the stage's pool opened (its cash is in the pool's opening balance, its shares in the books' trades).
 */
export const ACTIVITY_OUTCOMES = ['posted', 'pending', 'resolved', 'before-ledger'] as const;
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

/** A broker activity as ingested (`ACTIVITIES` / `ACTIVITY#{activityId}`), once per activity id. */
export interface StoredActivity {
  readonly activityId: string;
  readonly activityType: string;
  /** The broker port's kind (dividend, split, account_cash, …). */
  readonly kind: string;
  readonly date: TradingDate;
  readonly symbol: string | null;
  readonly amount: string | null;
  readonly outcome: ActivityOutcome;
  /** What it was posted to (`books` with their ids, `pool`), or why it is pending. */
  readonly target: 'books' | 'pool' | 'none';
  readonly books: readonly StrategyId[];
  readonly reason?: string;
  /** Other activity ids posted with this one (the two rows of a symbol change). */
  readonly group?: readonly string[];
  readonly at: string;
  readonly resolvedAt?: string;
  readonly note?: string;
}

const ActivitySchema = lazySchema(() =>
  z
    .object({
      activity_id: z.string().min(1),
      activity_type: z.string().min(1),
      kind: z.string().min(1),
      date: field.tradingDate,
      symbol: z.string().optional(),
      amount: decimal().optional(),
      outcome: z.enum(ACTIVITY_OUTCOMES),
      target: z.enum(['books', 'pool', 'none']),
      books: z.array(field.strategyId).optional(),
      reason: z.string().optional(),
      group: z.array(z.string()).optional(),
      at: field.instant,
      resolved_at: field.instant.optional(),
      note: z.string().optional(),
    })
    .transform(
      (r): StoredActivity => ({
        activityId: r.activity_id,
        activityType: r.activity_type,
        kind: r.kind,
        date: r.date,
        symbol: r.symbol ?? null,
        amount: r.amount ?? null,
        outcome: r.outcome,
        target: r.target,
        books: r.books ?? [],
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        ...(r.group !== undefined ? { group: r.group } : {}),
        at: r.at,
        ...(r.resolved_at !== undefined ? { resolvedAt: r.resolved_at } : {}),
        ...(r.note !== undefined ? { note: r.note } : {}),
      }),
    ),
);

export function encodeActivity(a: StoredActivity): Item {
  return toItem({
    ...keys.activity(a.activityId),
    entity: 'ACTIVITY',
    activity_id: a.activityId,
    activity_type: a.activityType,
    kind: a.kind,
    date: a.date,
    symbol: a.symbol ?? undefined,
    amount: a.amount ?? undefined,
    outcome: a.outcome,
    target: a.target,
    books: a.books.length > 0 ? [...a.books] : undefined,
    reason: a.reason,
    group: a.group && a.group.length > 0 ? [...a.group] : undefined,
    at: canonicalInstant(a.at, 'at'),
    resolved_at: a.resolvedAt === undefined ? undefined : canonicalInstant(a.resolvedAt, 'resolvedAt'),
    note: a.note,
  });
}

export function decodeActivity(item: Item): StoredActivity {
  return decodeItem(ActivitySchema(), item, 'activity');
}
