import { SideSchema } from '@books/core';
import * as z from 'zod';
import { ORDER_STATUSES } from '../port';
import { PaperCorporateCodec, type PaperCorporateState } from './corporate-actions';
import type { PaperAccountState, PaperOrderRecord } from './records';

/** Stored paper state is parsed, not cast: a damaged item is a clear error naming the field. */
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string');

export const PaperPositionsCodec = z.record(z.string(), z.strictObject({ qty: decimal, cost: decimal }));

export const PaperOrderCodec = z.strictObject({
  id: z.string().min(1),
  clientOrderId: z.string().min(1),
  symbol: z.string().min(1),
  side: SideSchema,
  type: z.enum(['market', 'limit']),
  status: z.enum(ORDER_STATUSES),
  qty: decimal.nullable(),
  notional: decimal.nullable(),
  limitPrice: decimal.nullable(),
  targetQty: decimal,
  filledQty: decimal,
  filledAvgPrice: decimal.nullable(),
  reserved: decimal,
  fees: decimal,
  submittedAt: z.iso.datetime(),
  filledAt: z.iso.datetime().nullable(),
  revision: z.number().int().min(0),
});

export function decodeOrder(json: string, where: string): PaperOrderRecord {
  return parseStored(PaperOrderCodec, json, where);
}

export function decodePositions(json: string, where: string): PaperAccountState['positions'] {
  return parseStored(PaperPositionsCodec, json, where);
}

/** The client order ids of an account's open orders (the STATE item's open-order index). */
export const PaperOpenOrdersCodec = z.array(z.string().min(1));

export function decodeOpenOrders(json: string, where: string): string[] {
  return parseStored(PaperOpenOrdersCodec, json, `${where} openOrders`);
}

export function decodeCorporate(json: string, where: string): PaperCorporateState {
  return parseStored(PaperCorporateCodec, json, `${where} corporate`);
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
