import {
  type ClientOrderId,
  clientOrderIdFor,
  lazySchema,
  type Quantity,
  type RunId,
  type Side,
  type StrategyId,
  type Symbol,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { field } from '../fields';
import { keys } from '../keys';
import type { TransactItem } from '../ledger-table';
import { StoredPlanSchema } from './plan';

/**
 * The marker of a strategy's released BUYs (`RUN#{runId}` / `RELEASE#{sid}`), written once when
 * its SELLs are done: the BUYs the release sent (portfolio PlannedTrades, as JSON) and those it
 * suppressed. Its presence means "released"; a trade's client order id is derived from its
 * (symbol, side, leg) as the release derived it.
 */
export interface StoredRelease {
  readonly released: readonly ReleasedTrade[];
  readonly suppressed: readonly ReleaseSuppressed[];
}

export interface ReleasedTrade {
  readonly symbol: Symbol;
  readonly side: Side;
  /** A decimal string. */
  readonly qty: string;
  readonly leg: number;
}

export interface ReleaseSuppressed {
  readonly symbol: Symbol;
  readonly side: Side;
  /** A decimal string. */
  readonly qty: string;
  readonly reason: string;
}

/** What a release writes of each trade: a portfolio PlannedTrade or SuppressedTrade (JSON, decimals as text). */
export interface ReleaseInput {
  readonly released: readonly {
    readonly symbol: Symbol;
    readonly side: Side;
    readonly qty: Quantity;
    readonly leg: number;
  }[];
  readonly suppressed: readonly {
    readonly symbol: Symbol;
    readonly side: Side;
    readonly qty: Quantity;
    readonly reason: string;
  }[];
}

const DecimalText = lazySchema(() => z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string'));
const ReleasedSchema = lazySchema(() =>
  z.array(
    z.looseObject({
      symbol: field.symbol,
      side: field.side,
      qty: DecimalText(),
      leg: z.number().int().min(0),
    }),
  ),
);
const SuppressedSchema = lazySchema(() =>
  z.array(z.looseObject({ symbol: field.symbol, side: field.side, qty: DecimalText(), reason: z.string() })),
);

export function encodeRelease(runId: RunId, strategyId: StrategyId, release: ReleaseInput): Item {
  return toItem({
    ...keys.release(runId, strategyId),
    entity: 'RUN_RELEASE',
    released_json: JSON.stringify(release.released),
    suppressed_json: JSON.stringify(release.suppressed),
  });
}

export function decodeRelease(item: Item): StoredRelease {
  const released = ReleasedSchema().safeParse(parseJson(item.released_json?.S));
  const suppressed = SuppressedSchema().safeParse(parseJson(item.suppressed_json?.S));
  if (!released.success || !suppressed.success)
    throw new CorruptItemError(
      `release ${item.PK?.S ?? '?'} / ${item.SK?.S ?? '?'}: ${(released.error ?? suppressed.error)?.message}`,
      { PK: item.PK?.S, SK: item.SK?.S },
    );
  return {
    released: released.data.map((t) => ({ symbol: t.symbol, side: t.side, qty: t.qty, leg: t.leg })),
    suppressed: suppressed.data.map((s) => ({
      symbol: s.symbol,
      side: s.side,
      qty: s.qty,
      reason: s.reason,
    })),
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A released BUY as the marker keeps it: the plan's trade (markers written before client order ids were kept derive them). */
const RecordedTradeSchema = lazySchema(() =>
  StoredPlanSchema.unwrap().shape.buys.element.omit({ clientOrderId: true }),
);
const RecordedTradesSchema = lazySchema(() => z.array(RecordedTradeSchema()));
type RecordedTrade = z.output<ReturnType<typeof RecordedTradeSchema>> & {
  readonly clientOrderId: ClientOrderId;
};

/**
 * The BUY release as execution records it before sending any of it: the released trades in full (what
 * an execution message must repeat) and whether they were sent.
 */
export interface RecordedRelease {
  readonly buys: readonly RecordedTrade[];
  readonly sent: boolean;
}

/** The release item written before any BUY is sent; `recorded_at` tells it from the older sent-then-written markers. */
export function encodeRecordedRelease(
  runId: RunId,
  strategyId: StrategyId,
  release: { readonly released: readonly unknown[]; readonly suppressed: readonly unknown[] },
  at: string,
): Item {
  return toItem({
    ...keys.release(runId, strategyId),
    entity: 'RUN_RELEASE',
    released_json: JSON.stringify(release.released),
    suppressed_json: JSON.stringify(release.suppressed),
    recorded_at: at,
  });
}

export function decodeRecordedRelease(runId: RunId, strategyId: StrategyId, item: Item): RecordedRelease {
  const parsed = RecordedTradesSchema().safeParse(parseJson(item.released_json?.S));
  if (!parsed.success)
    throw new CorruptItemError(
      `release ${item.PK?.S ?? '?'} / ${item.SK?.S ?? '?'}: ${parsed.error.message}`,
      {
        PK: item.PK?.S,
        SK: item.SK?.S,
      },
    );
  const buys = parsed.data.map((t) => ({
    ...t,
    clientOrderId: clientOrderIdFor({ runId, strategyId, symbol: t.symbol, side: t.side, leg: t.leg }),
  }));
  // Markers written before the send was marked apart were written after their BUYs were sent.
  const sent = item.sent_at?.S !== undefined || item.recorded_at?.S === undefined;
  return { buys, sent };
}

/** Marks a recorded release as sent (idempotent: the first time stays). */
export function releaseSentUpdate(
  runId: RunId,
  strategyId: StrategyId,
  at: string,
): TransactItem & { kind: 'update' } {
  return {
    kind: 'update',
    label: `release ${strategyId} sent`,
    key: keys.release(runId, strategyId),
    update: 'SET #sent = if_not_exists(#sent, :at)',
    names: { '#sent': 'sent_at' },
    values: { ':at': { S: at } },
    condition: { expression: 'attribute_exists(PK)' },
  };
}
