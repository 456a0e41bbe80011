import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  type BatchGetItemCommandInput,
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DeleteItemCommandInput,
  type GetItemCommandInput,
  IdempotentParameterMismatchException,
  type KeySchemaElement,
  type PutItemCommandInput,
  type QueryCommandInput,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  type TransactGetItemsCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  type TransactWriteItemsCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unsupported, validation } from './errors';
import {
  applyUpdate,
  compareScalars,
  copyItem,
  evaluateCondition,
  type Item,
  itemFits,
  normalizeItem,
  normalizeNumber,
  resolvePath,
} from './evaluate';
import {
  type Condition,
  checkPlaceholdersUsed,
  type Parsed,
  type Path,
  parseCondition,
  parseProjection,
  parseUpdate,
  type UpdateAction,
} from './expression';

/**
 * DynamoDB in process: the operations the ledger and the simulated broker's account store use
 * (CreateTable, DescribeTable, UpdateTimeToLive, ListTables, GetItem, BatchGetItem, PutItem, UpdateItem,
 * DeleteItem, Query with key conditions, filters, projections, pages and GSIs, TransactWriteItems
 * with its idempotency token, TransactGetItems), with DynamoDB's semantics for what they touch: strongly consistent
 * (a GSI is updated with its table, which DynamoDB only promises eventually: stricter, never
 * looser), conditions checked before any write of a transaction, numbers exact and normalized,
 * the 400 KB item limit, the 100-item transaction limit and one operation per item in a
 * transaction. TTL expiry is DynamoDB's background deletion, run when the owner calls
 * `deleteExpired(now)` (a backtest, once per simulated day): see there. Not served: Scan, batch
 * writes, PartiQL, streams, binary attributes, the 1 MB page limit (a page ends at `Limit`
 * only). Each answers with an error naming it.
 */

interface KeyShape {
  readonly hash: string;
  readonly range: string | undefined;
}

interface Index extends KeyShape {
  readonly name: string;
  readonly projection: 'ALL' | 'KEYS_ONLY' | readonly string[];
  /** Per index partition: entries sorted by (range, table key). */
  readonly partitions: Map<string, Entry[]>;
}

interface Entry {
  /** The table key text, unique per item. */
  readonly id: string;
  readonly item: Item;
}

interface Table extends KeyShape {
  readonly name: string;
  readonly description: TableDescription;
  /** Per partition: entries sorted by range key. */
  readonly partitions: Map<string, Entry[]>;
  /** Every entry by its table key text: a point read or write finds its item in O(1). */
  readonly byKey: Map<string, Entry>;
  readonly indexes: Index[];
  ttlAttribute?: string;
  /** With TTL on: the keys of the items carrying a Number in the TTL attribute (the sweep's candidates). */
  readonly withTtl: Set<string>;
}

const MAX_ITEM_BYTES = 400 * 1024;
const MAX_TRANSACTION_ITEMS = 100;
/** DynamoDB's limit on a transaction's client request token (an ASCII string of 1 to 36 characters). */
const MAX_TOKEN_LENGTH = 36;
const TOKEN_WINDOW_MS = 10 * 60 * 1000;
/**
 * DynamoDB deletes an expired item within a few days of its expiry, and never one whose expiry is
 * more than five years in the past. The sweep deletes only items expired longer than the margin.
 */
export const TTL_DELETE_MARGIN_MS = 2 * 24 * 60 * 60 * 1000;
const TTL_IGNORED_AFTER_MS = 5 * 365 * 24 * 60 * 60 * 1000;

export class InMemoryDynamoDb {
  private readonly tables = new Map<string, Table>();
  /**
   * Each token seen in its window, with a digest of its request (not the request itself: a day's
   * run record is kilobytes), oldest first; tokens out of the window are forgotten as new ones come.
   */
  private readonly tokens = new Map<string, { request: string; atMs: number }>();

  constructor(private readonly wallClockMs: () => number = () => Date.now()) {}

  /**
   * Serves one operation by its API name with the command's input; unknown ones are refused. The
   * input is what the caller gave the SDK's command class of that operation (typed by the SDK, in
   * this process), hence read as that command's input type.
   */
  handle(operation: string, input: unknown): object {
    switch (operation) {
      case 'CreateTable':
        return this.createTable(input as CreateTableCommandInput);
      case 'DescribeTable':
        return { Table: this.table((input as { TableName?: string }).TableName).description };
      case 'ListTables':
        return { TableNames: [...this.tables.keys()].sort() };
      case 'UpdateTimeToLive': {
        const i = input as {
          TableName?: string;
          TimeToLiveSpecification?: { AttributeName?: string; Enabled?: boolean };
        };
        const t = this.table(i.TableName);
        if (i.TimeToLiveSpecification?.Enabled) this.enableTtl(t, i.TimeToLiveSpecification.AttributeName);
        return { TimeToLiveSpecification: i.TimeToLiveSpecification };
      }
      case 'DeleteTable': {
        const t = this.table((input as { TableName?: string }).TableName);
        this.tables.delete(t.name);
        return { TableDescription: t.description };
      }
      case 'GetItem':
        return this.getItem(input as GetItemCommandInput);
      case 'BatchGetItem':
        return this.batchGetItem(input as BatchGetItemCommandInput);
      case 'PutItem':
        return this.putItem(input as PutItemCommandInput);
      case 'UpdateItem':
        return this.updateItem(input as UpdateItemCommandInput);
      case 'DeleteItem':
        return this.deleteItem(input as DeleteItemCommandInput);
      case 'Query':
        return this.query(input as QueryCommandInput);
      case 'TransactWriteItems':
        return this.transactWrite(input as TransactWriteItemsCommandInput);
      case 'TransactGetItems':
        return this.transactGet(input as TransactGetItemsCommandInput);
      default:
        throw unsupported(operation);
    }
  }

  private createTable(input: CreateTableCommandInput): object {
    const name = input.TableName ?? '';
    if (this.tables.has(name))
      throw new ResourceInUseException({ message: `Table already exists: ${name}`, $metadata: {} });
    const shape = keyShape(input.KeySchema);
    const indexes = (input.GlobalSecondaryIndexes ?? []).map((g): Index => {
      const p = g.Projection;
      return {
        name: g.IndexName ?? '',
        ...keyShape(g.KeySchema),
        projection:
          p?.ProjectionType === 'INCLUDE'
            ? (p.NonKeyAttributes ?? [])
            : p?.ProjectionType === 'KEYS_ONLY'
              ? 'KEYS_ONLY'
              : 'ALL',
        partitions: new Map(),
      };
    });
    if ((input.LocalSecondaryIndexes ?? []).length > 0) throw unsupported('local secondary indexes');
    const description: TableDescription = {
      TableName: name,
      TableStatus: 'ACTIVE',
      KeySchema: input.KeySchema,
      AttributeDefinitions: input.AttributeDefinitions,
      ...(input.GlobalSecondaryIndexes
        ? {
            GlobalSecondaryIndexes: input.GlobalSecondaryIndexes.map((g) => ({
              IndexName: g.IndexName,
              KeySchema: g.KeySchema,
              Projection: g.Projection,
              IndexStatus: 'ACTIVE',
            })),
          }
        : {}),
      BillingModeSummary: { BillingMode: input.BillingMode ?? 'PROVISIONED' },
    };
    this.tables.set(name, {
      name,
      ...shape,
      description,
      partitions: new Map(),
      byKey: new Map(),
      indexes,
      withTtl: new Set(),
    });
    return { TableDescription: description };
  }

  private table(name: string | undefined): Table {
    const t = this.tables.get(name ?? '');
    if (!t)
      throw new ResourceNotFoundException({
        message: `Cannot do operations on a non-existent table: ${name}`,
        $metadata: {},
      });
    return t;
  }

  private getItem(input: GetItemCommandInput): object {
    const t = this.table(input.TableName);
    rejectLegacy(input, ['AttributesToGet']);
    const projection = input.ProjectionExpression
      ? parsedProjection(input.ProjectionExpression, input.ExpressionAttributeNames)
      : undefined;
    const found = this.find(t, keyParam(t, input.Key));
    return found ? { Item: clone(project(found.item, projection)) } : {};
  }

  /** Every key read (none left unprocessed); at most 100 keys, none twice, as DynamoDB requires. */
  private batchGetItem(input: BatchGetItemCommandInput): object {
    const requests = Object.entries(input.RequestItems ?? {});
    const count = requests.reduce((n, [, r]) => n + (r.Keys?.length ?? 0), 0);
    if (count === 0 || count > 100)
      throw validation(`Too many items requested for the BatchGetItem call: ${count} (1 to 100)`);
    const responses: Record<string, Item[]> = {};
    for (const [name, request] of requests) {
      const t = this.table(name);
      rejectLegacy(request, ['AttributesToGet']);
      const projection = request.ProjectionExpression
        ? parsedProjection(request.ProjectionExpression, request.ExpressionAttributeNames)
        : undefined;
      const keys = (request.Keys ?? []).map((k) => keyParam(t, k));
      if (new Set(keys).size !== keys.length)
        throw validation('Provided list of item keys contains duplicates');
      responses[name] = keys.flatMap((key) => {
        const found = this.find(t, key);
        return found ? [clone(project(found.item, projection))] : [];
      });
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  /** Each Get, in order, as of one instant (nothing runs between them in process); 1 to 100 items. */
  private transactGet(input: TransactGetItemsCommandInput): object {
    const gets = input.TransactItems ?? [];
    if (gets.length === 0 || gets.length > 100)
      throw validation(`a TransactGetItems request holds 1 to 100 items, got ${gets.length}`);
    return {
      Responses: gets.map(({ Get }) => {
        if (!Get) throw validation('every item of a TransactGetItems request is a Get');
        return this.getItem(Get);
      }),
    };
  }

  private putItem(input: PutItemCommandInput): object {
    const t = this.table(input.TableName);
    rejectLegacy(input, ['Expected', 'ConditionalOperator']);
    const item = checkItem(t, input.Item);
    const key = keyOf(t, item);
    const condition = parsedCondition(input.ConditionExpression, input, []);
    const before = this.find(t, key)?.item;
    this.check(condition, before, input.ReturnValuesOnConditionCheckFailure);
    this.write(t, key, item);
    return input.ReturnValues === 'ALL_OLD' && before ? { Attributes: clone(before) } : {};
  }

  private updateItem(input: UpdateItemCommandInput): object {
    const t = this.table(input.TableName);
    rejectLegacy(input, ['AttributeUpdates', 'Expected', 'ConditionalOperator']);
    const key = keyParam(t, input.Key);
    const { condition, actions } = parsedUpdate(input.UpdateExpression, input.ConditionExpression, input);
    const before = this.find(t, key)?.item;
    this.check(condition, before, input.ReturnValuesOnConditionCheckFailure);
    const after = this.updated(t, input.Key ?? {}, before, actions);
    this.write(t, key, after);
    switch (input.ReturnValues ?? 'NONE') {
      case 'NONE':
        return {};
      case 'ALL_NEW':
        return { Attributes: clone(after) };
      case 'ALL_OLD':
        return before ? { Attributes: clone(before) } : {};
      default:
        throw unsupported(`UpdateItem ReturnValues ${input.ReturnValues}`);
    }
  }

  private deleteItem(input: DeleteItemCommandInput): object {
    const t = this.table(input.TableName);
    rejectLegacy(input, ['Expected', 'ConditionalOperator']);
    const key = keyParam(t, input.Key);
    const condition = parsedCondition(input.ConditionExpression, input, []);
    const before = this.find(t, key)?.item;
    this.check(condition, before, input.ReturnValuesOnConditionCheckFailure);
    if (before) this.remove(t, key, before);
    return input.ReturnValues === 'ALL_OLD' && before ? { Attributes: clone(before) } : {};
  }

  private query(input: QueryCommandInput): object {
    const t = this.table(input.TableName);
    rejectLegacy(input, ['KeyConditions', 'QueryFilter', 'AttributesToGet', 'ConditionalOperator']);
    if (input.Select !== undefined && input.Select !== 'ALL_ATTRIBUTES')
      throw unsupported(`Query Select ${input.Select}`);
    const index =
      input.IndexName === undefined ? undefined : t.indexes.find((i) => i.name === input.IndexName);
    if (input.IndexName !== undefined && !index)
      throw validation(`The table does not have the specified index: ${input.IndexName}`);
    if (index && input.ConsistentRead)
      throw validation('Consistent reads are not supported on global secondary indexes');
    const shape: KeyShape = index ?? t;
    if (!input.KeyConditionExpression) throw unsupported('Query without a KeyConditionExpression');
    const key = parseCondition(input.KeyConditionExpression, placeholders(input));
    const filter = input.FilterExpression
      ? parseCondition(input.FilterExpression, placeholders(input))
      : undefined;
    const projection = input.ProjectionExpression
      ? parseProjection(input.ProjectionExpression, placeholders(input))
      : undefined;
    checkPlaceholdersUsed(
      placeholders(input),
      [key, filter, projection].flatMap((p) => (p ? [p.reader] : [])),
    );
    const { partition, range } = splitKeyCondition(key.ast, shape);
    const entries = (index ? index.partitions : t.partitions).get(partition) ?? [];
    let ordered = range ? matching(entries, range, shape.range) : entries;
    if (input.ScanIndexForward === false) ordered = [...ordered].reverse();
    let start = 0;
    const from = input.ExclusiveStartKey;
    if (from) {
      // The page starts after the key's place in the order, whether or not its item still exists.
      const place: Entry = { id: keyOf(t, from), item: from };
      const forward = input.ScanIndexForward !== false;
      const after = ordered.findIndex((e) => {
        const order = entryOrder(e, place, shape.range);
        return forward ? order > 0 : order < 0;
      });
      start = after < 0 ? ordered.length : after;
    }
    const limit = input.Limit ?? Number.POSITIVE_INFINITY;
    const page = ordered.slice(start, start + limit);
    const more = start + page.length < ordered.length;
    const items = page
      .filter((e) => (filter ? evaluateCondition(e.item, filter.ast) : true))
      .map((e) => clone(project(indexView(t, index, e.item), projection?.ast)));
    const last = page[page.length - 1];
    return {
      Items: items,
      Count: items.length,
      ScannedCount: page.length,
      ...(more && last ? { LastEvaluatedKey: lastKey(t, index, last.item) } : {}),
    };
  }

  private transactWrite(input: TransactWriteItemsCommandInput): object {
    const items = input.TransactItems ?? [];
    if (items.length === 0 || items.length > MAX_TRANSACTION_ITEMS)
      throw validation(
        `Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS} and at least 1`,
      );
    if (input.ClientRequestToken !== undefined) {
      if (input.ClientRequestToken.length < 1 || input.ClientRequestToken.length > MAX_TOKEN_LENGTH)
        throw validation(
          `Value ${input.ClientRequestToken} at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TOKEN_LENGTH}`,
        );
      const now = this.wallClockMs();
      const request = createHash('sha256').update(JSON.stringify(items)).digest('base64');
      const seen = this.tokens.get(input.ClientRequestToken);
      if (seen && now - seen.atMs < TOKEN_WINDOW_MS) {
        if (seen.request !== request)
          throw new IdempotentParameterMismatchException({
            message: 'The request uses the same client token as a previous, but non-identical request.',
            $metadata: {},
          });
        return {};
      }
      for (const [token, t] of this.tokens) {
        if (now - t.atMs < TOKEN_WINDOW_MS) break;
        this.tokens.delete(token);
      }
      this.tokens.delete(input.ClientRequestToken);
      this.tokens.set(input.ClientRequestToken, { request, atMs: now });
    }
    const plans = items.map((i) => this.plan(i));
    const ids = new Set<string>();
    for (const p of plans) {
      const id = `${p.table.name}\u0000${p.key}`;
      if (ids.has(id)) throw validation('Transaction request cannot include multiple operations on one item');
      ids.add(id);
    }
    const reasons = plans.map((p) => {
      const before = this.find(p.table, p.key)?.item;
      if (p.condition && !evaluateCondition(before, p.condition.ast))
        return {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(p.returnOld && before ? { Item: clone(before) } : {}),
        };
      return { Code: 'None' };
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      if (input.ClientRequestToken !== undefined) this.tokens.delete(input.ClientRequestToken);
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    // Every new item is computed before any is written: a failing update writes nothing.
    const writes = plans.map((p) => ({
      p,
      before: this.find(p.table, p.key)?.item,
      after: p.after(this.find(p.table, p.key)?.item),
    }));
    for (const { p, before, after } of writes) {
      if (after === 'delete') {
        if (before) this.remove(p.table, p.key, before);
      } else if (after !== 'none') this.write(p.table, p.key, after);
    }
    return {};
  }

  private plan(i: TransactWriteItem): {
    table: Table;
    key: string;
    condition: Parsed<Condition> | undefined;
    returnOld: boolean;
    after: (before: Item | undefined) => Item | 'delete' | 'none';
  } {
    const kinds = [i.Put, i.Update, i.Delete, i.ConditionCheck].filter((x) => x !== undefined);
    if (kinds.length !== 1)
      throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
    if (i.Put) {
      const t = this.table(i.Put.TableName);
      const item = checkItem(t, i.Put.Item);
      return {
        table: t,
        key: keyOf(t, item),
        condition: parsedCondition(i.Put.ConditionExpression, i.Put, []),
        returnOld: i.Put.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
        after: () => item,
      };
    }
    if (i.Update) {
      const u = i.Update;
      const t = this.table(u.TableName);
      const parsed = parsedUpdate(u.UpdateExpression, u.ConditionExpression, u);
      return {
        table: t,
        key: keyParam(t, u.Key),
        condition: parsed.condition,
        returnOld: u.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
        after: (before) => this.updated(t, u.Key ?? {}, before, parsed.actions),
      };
    }
    if (i.Delete) {
      const t = this.table(i.Delete.TableName);
      return {
        table: t,
        key: keyParam(t, i.Delete.Key),
        condition: parsedCondition(i.Delete.ConditionExpression, i.Delete, []),
        returnOld: i.Delete.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
        after: () => 'delete',
      };
    }
    const c = i.ConditionCheck;
    if (!c?.ConditionExpression) throw validation('ConditionCheck requires a ConditionExpression');
    const t = this.table(c.TableName);
    return {
      table: t,
      key: keyParam(t, c.Key),
      condition: parsedCondition(c.ConditionExpression, c, []),
      returnOld: c.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
      after: () => 'none',
    };
  }

  private updated(t: Table, key: Item, before: Item | undefined, actions: readonly UpdateAction[]): Item {
    const keyNames = [t.hash, ...(t.range ? [t.range] : [])];
    const after = applyUpdate(before ?? pickKey(t, key), actions, keyNames);
    return checkItem(t, after);
  }

  private check(
    condition: Parsed<Condition> | undefined,
    before: Item | undefined,
    returnOnFailure: string | undefined,
  ): void {
    if (condition && !evaluateCondition(before, condition.ast))
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(returnOnFailure === 'ALL_OLD' && before ? { Item: clone(before) } : {}),
      });
  }

  /**
   * DynamoDB's TTL deletion as of `nowMs` (the time the items' expiries are read against: a
   * backtest's simulated clock): in every table with TTL on, each item whose TTL attribute is a
   * Number of epoch seconds more than `marginMs` (default TTL_DELETE_MARGIN_MS) before `nowMs` is
   * deleted, as if by the service (no condition, no token). An item without the attribute, with a
   * non-Number one, or expired more than five years before `nowMs` is kept, as DynamoDB keeps it.
   * An item expired within the margin stays readable, as it may on DynamoDB. Returns how many
   * items were deleted.
   */
  deleteExpired(nowMs: number, marginMs: number = TTL_DELETE_MARGIN_MS): number {
    let deleted = 0;
    for (const t of this.tables.values()) {
      const attribute = t.ttlAttribute;
      if (attribute === undefined) continue;
      for (const key of t.withTtl) {
        const entry = t.byKey.get(key);
        const expiresMs = entry ? ttlMs(entry.item, attribute) : undefined;
        if (!entry || expiresMs === undefined) continue;
        if (expiresMs < nowMs - marginMs && expiresMs >= nowMs - TTL_IGNORED_AFTER_MS) {
          this.remove(t, key, entry.item);
          deleted++;
        }
      }
    }
    return deleted;
  }

  private enableTtl(t: Table, attribute: string | undefined): void {
    t.ttlAttribute = attribute;
    t.withTtl.clear();
    if (attribute === undefined) return;
    for (const entry of t.byKey.values())
      if (ttlMs(entry.item, attribute) !== undefined) t.withTtl.add(entry.id);
  }

  private find(t: Table, key: string): Entry | undefined {
    return t.byKey.get(key);
  }

  private write(t: Table, key: string, item: Item): void {
    const before = this.find(t, key);
    if (before) this.remove(t, key, before.item);
    const entry: Entry = { id: key, item };
    const [pk] = splitKey(key);
    insertSorted(t.partitions, pk, entry, t.range);
    t.byKey.set(key, entry);
    if (t.ttlAttribute !== undefined && ttlMs(item, t.ttlAttribute) !== undefined) t.withTtl.add(key);
    for (const index of t.indexes) {
      const ipk = item[index.hash];
      if (ipk === undefined || (index.range !== undefined && item[index.range] === undefined)) continue;
      insertSorted(index.partitions, scalarText(ipk), entry, index.range);
    }
  }

  private remove(t: Table, key: string, item: Item): void {
    const [pk] = splitKey(key);
    const entry = t.byKey.get(key);
    if (!entry) return;
    removeEntry(t.partitions, pk, entry, t.range);
    t.byKey.delete(key);
    t.withTtl.delete(key);
    for (const index of t.indexes) {
      const ipk = item[index.hash];
      if (ipk !== undefined) removeEntry(index.partitions, scalarText(ipk), entry, index.range);
    }
  }
}

/** An item's expiry in epoch ms: its TTL attribute as a Number of epoch seconds, else none. */
function ttlMs(item: Item, attribute: string): number | undefined {
  const n = item[attribute]?.N;
  if (n === undefined) return undefined;
  const seconds = Number(n);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function keyShape(schema: readonly KeySchemaElement[] | undefined): KeyShape {
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (!hash) throw validation('a key schema needs a HASH key');
  return { hash, range: schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName };
}

function rejectLegacy(input: object, fields: readonly string[]): void {
  for (const f of fields)
    if ((input as Record<string, unknown>)[f] !== undefined) throw unsupported(`the legacy parameter ${f}`);
}

function placeholders(input: {
  ExpressionAttributeNames?: Record<string, string> | undefined;
  ExpressionAttributeValues?: Record<string, AttributeValue> | undefined;
}) {
  return { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
}

function parsedCondition(
  expression: string | undefined,
  input: Parameters<typeof placeholders>[0],
  others: readonly Parsed<unknown>[],
): Parsed<Condition> | undefined {
  const p = placeholders(input);
  if (expression === undefined) {
    checkPlaceholdersUsed(
      p,
      others.map((o) => o.reader),
    );
    return undefined;
  }
  const parsed = parseCondition(expression, p);
  checkPlaceholdersUsed(p, [parsed.reader, ...others.map((o) => o.reader)]);
  return parsed;
}

function parsedUpdate(
  update: string | undefined,
  condition: string | undefined,
  input: Parameters<typeof placeholders>[0],
): { condition: Parsed<Condition> | undefined; actions: UpdateAction[] } {
  if (update === undefined) throw unsupported('UpdateItem without an UpdateExpression');
  const parsed = parseUpdate(update, placeholders(input));
  return { condition: parsedCondition(condition, input, [parsed]), actions: parsed.ast };
}

function parsedProjection(expression: string, names: Record<string, string> | undefined): Path[] {
  const parsed = parseProjection(expression, { names });
  checkPlaceholdersUsed({ names }, [parsed.reader]);
  return parsed.ast;
}

function project(item: Item, paths: readonly Path[] | undefined): Item {
  if (paths === undefined) return item;
  const out: Item = {};
  for (const p of paths) {
    if (p.length !== 1 || typeof p[0] !== 'string') throw unsupported('projection of a nested path');
    const v = resolvePath(item, p);
    if (v !== undefined) out[p[0]] = v;
  }
  return out;
}

function checkItem(t: Table, item: Item | undefined): Item {
  if (item === undefined) throw validation('Item is required');
  for (const name of [t.hash, ...(t.range ? [t.range] : [])]) {
    const v = item[name];
    if (v === undefined)
      throw validation(`One or more parameter values were invalid: Missing the key ${name} in the item`);
    if ((v.S === undefined && v.N === undefined) || v.S === '')
      throw validation(`One or more parameter values were invalid: invalid key attribute ${name}`);
  }
  for (const index of t.indexes)
    for (const name of [index.hash, ...(index.range ? [index.range] : [])]) {
      const v = item[name];
      if (v !== undefined && ((v.S === undefined && v.N === undefined) || v.S === ''))
        throw validation(
          `One or more parameter values were invalid: the index key ${name} of ${index.name} must be a non-empty string or a number`,
        );
    }
  const normalized = normalizeItem(item);
  if (!itemFits(normalized, MAX_ITEM_BYTES))
    throw validation('Item size has exceeded the maximum allowed size');
  return normalized;
}

function pickKey(t: Table, key: Item): Item {
  const out: Item = {};
  for (const name of [t.hash, ...(t.range ? [t.range] : [])]) {
    const v = key[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The key of an item as text: `hash\u0000range`, each scalar tagged by type. */
function keyOf(t: Table, item: Item | undefined): string {
  if (item === undefined) throw validation('Key is required');
  const hash = item[t.hash];
  const range = t.range === undefined ? undefined : item[t.range];
  if (hash === undefined || (t.range !== undefined && range === undefined))
    throw validation('The provided key element does not match the schema');
  return `${scalarText(hash)}\u0000${range === undefined ? '' : scalarText(range)}`;
}

/** A `Key` parameter: exactly the table's key attributes. */
function keyParam(t: Table, key: Item | undefined): string {
  if (key !== undefined && Object.keys(key).length !== (t.range === undefined ? 1 : 2))
    throw validation('The provided key element does not match the schema');
  return keyOf(t, key);
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}

/** A key scalar as text; numbers normalized, so that `N` "1.0" and "1" are one key. */
function scalarText(v: AttributeValue): string {
  if (v.S !== undefined) return `S${v.S}`;
  if (v.N !== undefined) return `N${normalizeNumber(v.N)}`;
  throw validation('a key attribute must be a string or a number');
}

function search(entries: readonly Entry[], cmp: (e: Entry) => number): { found: boolean; index: number } {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid];
    const c = e ? cmp(e) : 0;
    if (c === 0) return { found: true, index: mid };
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, index: lo };
}

/** The order of a partition: by its range key, then by the table key (a GSI's ties stay stable). */
function entryOrder(e: Entry, other: Entry, range: string | undefined): number {
  if (range !== undefined) {
    const x = e.item[range];
    const y = other.item[range];
    const order = x === undefined || y === undefined ? 0 : (compareScalars(x, y) ?? 0);
    if (order !== 0) return order;
  }
  return e.id < other.id ? -1 : e.id > other.id ? 1 : 0;
}

function insertSorted(
  partitions: Map<string, Entry[]>,
  pk: string,
  entry: Entry,
  range: string | undefined,
): void {
  let entries = partitions.get(pk);
  if (!entries) {
    entries = [];
    partitions.set(pk, entries);
  }
  const at = search(entries, (e) => entryOrder(e, entry, range));
  entries.splice(at.index, 0, entry);
}

/** Removes an entry from its partition, found by binary search in the partition's order. */
function removeEntry(
  partitions: Map<string, Entry[]>,
  pk: string,
  entry: Entry,
  range: string | undefined,
): void {
  const entries = partitions.get(pk);
  if (!entries) return;
  const at = search(entries, (e) => entryOrder(e, entry, range));
  // Keys of one type always compare; a scan is the fallback should the order not find it.
  const index =
    at.found && entries[at.index]?.id === entry.id ? at.index : entries.findIndex((e) => e.id === entry.id);
  if (index >= 0) entries.splice(index, 1);
  if (entries.length === 0) partitions.delete(pk);
}

/** The key condition split into the partition (hash = value) and the range part, as DynamoDB requires. */
function splitKeyCondition(
  c: Condition,
  shape: KeyShape,
): { partition: string; range: Condition | undefined } {
  const isHashEq = (x: Condition) =>
    x.kind === 'compare' &&
    x.op === '=' &&
    x.left.kind === 'path' &&
    x.left.path.length === 1 &&
    x.left.path[0] === shape.hash &&
    x.right.kind === 'value';
  const hashOf = (x: Condition): string => {
    if (x.kind !== 'compare' || x.right.kind !== 'value')
      throw validation('Query condition missed key schema element');
    return scalarText(x.right.value);
  };
  if (isHashEq(c)) return { partition: hashOf(c), range: undefined };
  if (c.kind === 'and') {
    const [hash, range] = isHashEq(c.left) ? [c.left, c.right] : isHashEq(c.right) ? [c.right, c.left] : [];
    if (hash && range) {
      const subject =
        range.kind === 'compare'
          ? range.left
          : range.kind === 'between' || range.kind === 'begins_with'
            ? range.subject
            : undefined;
      if (subject?.kind !== 'path' || subject.path.length !== 1 || subject.path[0] !== shape.range)
        throw validation('Query key condition not supported: the second condition must be on the sort key');
      if (range.kind === 'compare' && range.op === '<>')
        throw validation('Unsupported operator on KeyConditionExpression: <>');
      return { partition: hashOf(hash), range };
    }
  }
  throw validation(`Query condition missed key schema element: ${shape.hash}`);
}

/**
 * The entries of a partition (sorted by its sort key `key`) that a key condition's sort-key part
 * matches. They are one contiguous run of the partition, so the run is found by binary search
 * from the condition's lower bound and read while it matches: O(log n + matches), as DynamoDB
 * reads a key range. A condition with no lower bound (`<`, `<=`) starts at the first entry; one
 * whose bound does not compare with the keys (a type mismatch) is evaluated on every entry.
 */
function matching(entries: readonly Entry[], range: Condition, key: string | undefined): Entry[] {
  const bound = lowerBound(range);
  const everyEntry = () => entries.filter((e) => evaluateCondition(e.item, range));
  if (key === undefined || bound === 'unknown') return everyEntry();
  let lo = 0;
  if (bound !== 'from-start') {
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const v = entries[mid]?.item[key];
      const order = v === undefined ? undefined : compareScalars(v, bound.value);
      if (order === undefined) return everyEntry();
      if (order < 0 || (order === 0 && bound.strict)) lo = mid + 1;
      else hi = mid;
    }
  }
  const out: Entry[] = [];
  for (let i = lo; i < entries.length; i++) {
    const e = entries[i];
    if (e === undefined || !evaluateCondition(e.item, range)) break;
    out.push(e);
  }
  return out;
}

/** Where a sort-key condition's matches start: at a value (after it when strict), or at the first entry. */
function lowerBound(
  c: Condition,
): { readonly value: AttributeValue; readonly strict: boolean } | 'from-start' | 'unknown' {
  switch (c.kind) {
    case 'begins_with':
      return c.operand.kind === 'value' ? { value: c.operand.value, strict: false } : 'unknown';
    case 'between':
      return c.low.kind === 'value' ? { value: c.low.value, strict: false } : 'unknown';
    case 'compare':
      if (c.right.kind !== 'value') return 'unknown';
      if (c.op === '=' || c.op === '>=') return { value: c.right.value, strict: false };
      if (c.op === '>') return { value: c.right.value, strict: true };
      return c.op === '<' || c.op === '<=' ? 'from-start' : 'unknown';
    default:
      return 'unknown';
  }
}

function indexView(t: Table, index: Index | undefined, item: Item): Item {
  if (!index || index.projection === 'ALL') return item;
  const keep = new Set(
    [t.hash, t.range, index.hash, index.range].filter((x): x is string => x !== undefined),
  );
  if (index.projection !== 'KEYS_ONLY') for (const a of index.projection) keep.add(a);
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (keep.has(k)) out[k] = v;
  return out;
}

function lastKey(t: Table, index: Index | undefined, item: Item): Item {
  const names = [t.hash, t.range, index?.hash, index?.range].filter((x): x is string => x !== undefined);
  const out: Item = {};
  for (const n of names) {
    const v = item[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

function clone(item: Item): Item {
  return copyItem(item);
}
