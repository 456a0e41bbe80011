import { SideSchema } from '@books/core';
import * as z from 'zod';
import { ORDER_STATUSES } from '../port';
import type { PaperCorporateState } from './corporate-actions';
import type { PaperAccountState, PaperOrderRecord } from './records';

/**
 * A schema built when first used, not when the module loads: a process builds only the schemas of
 * what it reads (most never read an order or a corporate action).
 */
function onFirstUse<S extends z.ZodType>(build: () => S): () => S {
  let schema: S | undefined;
  return () => {
    schema ??= build();
    return schema;
  };
}

/** Stored paper state is parsed, not cast: a damaged item is a clear error naming the field. */
const decimal = onFirstUse(() => z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string'));

export const PaperPositionsCodec = onFirstUse(() =>
  z.record(z.string(), z.strictObject({ qty: decimal(), cost: decimal() })),
);

export const PaperOrderCodec = onFirstUse(() =>
  z.strictObject({
    id: z.string().min(1),
    clientOrderId: z.string().min(1),
    symbol: z.string().min(1),
    side: SideSchema,
    type: z.enum(['market', 'limit']),
    status: z.enum(ORDER_STATUSES),
    qty: decimal().nullable(),
    notional: decimal().nullable(),
    limitPrice: decimal().nullable(),
    targetQty: decimal(),
    filledQty: decimal(),
    filledAvgPrice: decimal().nullable(),
    reserved: decimal(),
    fees: decimal(),
    submittedAt: z.iso.datetime(),
    filledAt: z.iso.datetime().nullable(),
    revision: z.number().int().min(0),
  }),
);

/** The client order ids of an account's open orders (the STATE item's open-order index). */
export const PaperOpenOrdersCodec = onFirstUse(() => z.array(z.string().min(1)));

/** The corporate actions applied to an account and the activities they made (PaperCorporateState). */
export const PaperCorporateCodec = onFirstUse(() =>
  z.strictObject({
    handled: z.array(z.string()),
    entitlements: z.record(z.string(), decimal()),
    rows: z.array(
      z
        .record(z.string(), z.string())
        .and(z.object({ id: z.string().min(1), activity_type: z.string().min(1), date: z.string() })),
    ),
  }),
);

export function decodeOrder(json: string, where: string): PaperOrderRecord {
  return parseStored(PaperOrderCodec(), json, where);
}

export function decodePositions(json: string, where: string): PaperAccountState['positions'] {
  return parseStored(PaperPositionsCodec(), json, where);
}

export function decodeOpenOrders(json: string, where: string): string[] {
  return parseStored(PaperOpenOrdersCodec(), json, `${where} openOrders`);
}

export function decodeCorporate(json: string, where: string): PaperCorporateState {
  return parseStored(PaperCorporateCodec(), json, `${where} corporate`);
}

export class CorruptPaperState extends Error {
  override readonly name = 'CorruptPaperState';
}

function parseStored<S extends z.ZodType>(schema: S, json: string, where: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new CorruptPaperState(`${where}: not JSON`, { cause: e });
  }
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new CorruptPaperState(
      `${where}: ${result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}
