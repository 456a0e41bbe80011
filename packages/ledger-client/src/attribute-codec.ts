import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '@books/core';

/** A DynamoDB item in the low-level wire shape. */
export type Item = Record<string, AttributeValue>;

/**
 * What record codecs write: strings (decimals included, as canonical decimal strings), safe
 * integers (versions, counters), booleans, null, lists and maps. `undefined` fields are omitted.
 */
export type Plain =
  | string
  | number
  | boolean
  | null
  | readonly Plain[]
  | { readonly [key: string]: Plain | undefined };

/**
 * What record codecs read: every number comes back as its decimal text (`N` is never turned into a
 * JS number here), so a schema decides how to parse it.
 */
export type Read = string | boolean | null | Read[] | { [key: string]: Read };

export function toAttribute(value: Plain, path = ''): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new ValidationError(`${path}: only safe integers are stored as numbers, got ${value}`, [
        { path, message: 'decimals travel as strings' },
      ]);
    return { N: String(value) };
  }
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (isList(value)) return { L: value.map((v, i) => toAttribute(v, `${path}[${i}]`)) };
  return { M: toItem(value, path) };
}

export function toItem(record: { readonly [key: string]: Plain | undefined }, path = ''): Item {
  const item: Item = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) item[key] = toAttribute(value, path === '' ? key : `${path}.${key}`);
  }
  return item;
}

export function fromAttribute(value: AttributeValue): Read {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return value.N;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.M !== undefined) return fromItem(value.M);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return [...value.NS];
  throw new ValidationError('unsupported attribute type (binary) in a ledger item', [
    { path: '', message: `attribute ${Object.keys(value).join(',')}` },
  ]);
}

export function fromItem(item: Item): { [key: string]: Read } {
  const out: { [key: string]: Read } = {};
  for (const [key, value] of Object.entries(item)) out[key] = fromAttribute(value);
  return out;
}

function isList(value: Plain): value is readonly Plain[] {
  return Array.isArray(value);
}
