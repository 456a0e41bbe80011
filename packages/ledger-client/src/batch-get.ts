import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import type { Item } from './attribute-codec';
import { LedgerError } from './errors';
import type { ItemKey } from './keys';
import type { LedgerTable } from './ledger-table';

/** DynamoDB's limit of keys in one BatchGetItem request. */
export const MAX_BATCH_GET_KEYS = 100;

export interface BatchGetOptions {
  /** Strongly consistent, as LedgerTable.getItem (default true). */
  readonly consistent?: boolean;
  /** Rounds of one batch: the first request and its retries of UnprocessedKeys (default 8). */
  readonly maxAttempts?: number;
  /** The wait before a retry of unprocessed keys (default: 10 ms doubled each round, at most 1 s). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The items at `keys` (absent ones missing from the map), read with BatchGetItem: each request at
 * most 100 keys (the requests of one call sent together), duplicates asked once (DynamoDB refuses
 * a request naming a key twice), and the keys DynamoDB leaves unprocessed (throttling, the 16 MB
 * response limit) asked again after a growing wait. A key still unprocessed after `maxAttempts`
 * rounds fails the read with a LedgerError naming how many: a batch never answers "absent" for an
 * item it did not read. The map is keyed by `batchKeyOf`.
 */
export async function batchGetItems(
  table: LedgerTable,
  keys: readonly ItemKey[],
  options: BatchGetOptions = {},
): Promise<ReadonlyMap<string, Item>> {
  const unique = [...new Map(keys.map((k) => [batchKeyOf(k), k])).values()];
  const found = new Map<string, Item>();
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < unique.length; i += MAX_BATCH_GET_KEYS)
    chunks.push(unique.slice(i, i + MAX_BATCH_GET_KEYS));
  const results = await Promise.all(chunks.map((chunk) => readChunk(table, chunk, options)));
  for (const items of results) for (const item of items) found.set(batchKeyOf(keyOfItem(item)), item);
  return found;
}

/** The key of an item in a batch read's answer: its PK and SK. */
export function batchKeyOf(key: ItemKey): string {
  return `${key.PK}\u0000${key.SK}`;
}

async function readChunk(table: LedgerTable, chunk: readonly ItemKey[], options: BatchGetOptions) {
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const items: Item[] = [];
  let request: KeysAndAttributes = {
    Keys: chunk.map((k) => ({ PK: { S: k.PK }, SK: { S: k.SK } })),
    ConsistentRead: options.consistent ?? true,
  };
  for (let attempt = 1; ; attempt++) {
    let out: BatchGetItemCommandOutput;
    try {
      out = await table.client.send(
        new BatchGetItemCommand({ RequestItems: { [table.tableName]: request } }),
      );
    } catch (e) {
      throw new LedgerError(
        `BatchGetItem of ${chunk.length} keys failed: ${e instanceof Error ? e.message : String(e)}`,
        { keys: chunk.length, first: chunk[0] },
        { cause: e },
      );
    }
    items.push(...(out.Responses?.[table.tableName] ?? []));
    const left = out.UnprocessedKeys?.[table.tableName];
    const count = left?.Keys?.length ?? 0;
    if (left === undefined || count === 0) return items;
    if (attempt >= maxAttempts)
      throw new LedgerError(
        `BatchGetItem left ${count} of ${chunk.length} keys unprocessed after ${attempt} rounds`,
        {
          unprocessed: count,
          keys: chunk.length,
        },
      );
    request = left;
    await sleep(Math.min(1000, 10 * 2 ** (attempt - 1)));
  }
}

function keyOfItem(item: Item): ItemKey {
  const PK = item.PK?.S;
  const SK = item.SK?.S;
  if (PK === undefined || SK === undefined)
    throw new LedgerError('a batch read answered an item without PK and SK');
  return { PK, SK };
}

/**
 * One item per id (`keyOf(id)`), decoded, in one batched read: the ids whose item exists. For a
 * repository's "the X of each of these strategies" (one round trip instead of one per strategy).
 */
export async function batchGetEach<I, T>(
  table: LedgerTable,
  ids: readonly I[],
  keyOf: (id: I) => ItemKey,
  decode: (item: Item) => T,
  options: BatchGetOptions = {},
): Promise<ReadonlyMap<I, T>> {
  const items = await batchGetItems(table, ids.map(keyOf), options);
  const decoded = new Map<I, T>();
  for (const id of ids) {
    const item = items.get(batchKeyOf(keyOf(id)));
    if (item !== undefined) decoded.set(id, decode(item));
  }
  return decoded;
}
