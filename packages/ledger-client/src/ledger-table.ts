import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fromItem, type Item, type Plain, toAttribute } from './attribute-codec';
import {
  ConditionFailedError,
  LedgerError,
  TransactionConditionError,
  TransactionConflictError,
  type TransactionFailure,
  VersionConflictError,
} from './errors';
import type { ItemKey } from './keys';

/** A condition expression with its placeholders. */
export interface Condition {
  readonly expression: string;
  readonly names?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Item>;
}

/** One write of a transaction; `label` names it in errors (e.g. `trade`, `cash`, `lot AAPL`). */
export type TransactItem =
  | { readonly kind: 'put'; readonly label: string; readonly item: Item; readonly condition?: Condition }
  | {
      readonly kind: 'update';
      readonly label: string;
      readonly key: ItemKey;
      readonly update: string;
      readonly names?: Readonly<Record<string, string>>;
      readonly values?: Readonly<Item>;
      readonly condition?: Condition;
    }
  | { readonly kind: 'delete'; readonly label: string; readonly key: ItemKey; readonly condition?: Condition }
  | { readonly kind: 'check'; readonly label: string; readonly key: ItemKey; readonly condition: Condition };

export interface QuerySpec {
  /** Query GSI1 (GSI1PK/GSI1SK) instead of the table (PK/SK). */
  readonly index?: 'GSI1';
  readonly partition: string;
  readonly sort?: { readonly beginsWith: string } | { readonly between: readonly [string, string] };
  /** Strongly consistent reads; table only (GSIs are eventually consistent). Default true on the table. */
  readonly consistent?: boolean;
  /** Ascending sort-key order unless false. */
  readonly forward?: boolean;
  /** Items per page (DynamoDB still stops a page at 1 MB). */
  readonly pageSize?: number;
  /** Only these attributes of each item (a projection); every attribute when absent. */
  readonly attributes?: readonly string[];
}

export const MAX_TRANSACTION_ITEMS = 100;

/** The item must not exist yet. */
export const ABSENT: Condition = { expression: 'attribute_not_exists(PK)' };
/** The item must exist. */
export const PRESENT: Condition = { expression: 'attribute_exists(PK)' };

/**
 * The one ledger table: single-item conditional writes, transactions and paginated queries over
 * the low-level client. Every lost condition becomes a ConcurrencyError subclass naming the item.
 */
export class LedgerTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Reads one item, strongly consistent unless told otherwise. */
  async getItem(key: ItemKey, options: { consistent?: boolean } = {}): Promise<Item | undefined> {
    const out = await this.call('GetItem', key, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: keyItem(key),
          ConsistentRead: options.consistent ?? true,
        }),
      ),
    );
    return out.Item;
  }

  /** Puts an item, under `condition` when given. A lost condition is a ConditionFailedError. */
  async put(item: Item, condition?: Condition): Promise<void> {
    const key = itemKey(item);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...conditionInput(condition),
          ...(condition ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException)
        throw new ConditionFailedError(
          `${key.PK} / ${key.SK}: condition ${condition?.expression} failed`,
          key,
          e.Item ? fromItem(e.Item) : undefined,
          { cause: e },
        );
      throw wrap('PutItem', key, e);
    }
  }

  /** Puts the item unless one with its key exists. Returns whether it wrote. */
  async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.put(item, ABSENT);
      return true;
    } catch (e) {
      if (e instanceof ConditionFailedError) return false;
      throw e;
    }
  }

  /**
   * Sets `fields` and bumps `version` from `expectedVersion` to `expectedVersion + 1`, only if the
   * item exists at `expectedVersion`. Returns the new version; a conflict is a VersionConflictError.
   */
  async updateWithVersion(
    key: ItemKey,
    expectedVersion: number,
    fields: Readonly<Record<string, Plain>>,
  ): Promise<number> {
    const update = versionedUpdate('versioned update', key, expectedVersion, fields);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(key),
          UpdateExpression: update.update,
          ExpressionAttributeNames: { ...update.names, ...update.condition?.names },
          ExpressionAttributeValues: { ...update.values, ...update.condition?.values },
          ConditionExpression: update.condition?.expression,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return expectedVersion + 1;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        const current = e.Item ? fromItem(e.Item) : undefined;
        const actual = typeof current?.version === 'string' ? Number(current.version) : undefined;
        throw new VersionConflictError(expectedVersion, actual, key, current, { cause: e });
      }
      throw wrap('UpdateItem', key, e);
    }
  }

  /** Updates one item with a raw expression; returns the item as it is afterwards. */
  async update(item: Extract<TransactItem, { kind: 'update' }>): Promise<Item> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyItem(item.key),
          UpdateExpression: item.update,
          ExpressionAttributeNames: nonEmpty({ ...item.names, ...item.condition?.names }),
          ExpressionAttributeValues: nonEmpty({ ...item.values, ...item.condition?.values }),
          ConditionExpression: item.condition?.expression,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return out.Attributes ?? {};
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException)
        throw new ConditionFailedError(
          `${item.key.PK} / ${item.key.SK}: ${item.label}: condition ${item.condition?.expression} failed`,
          item.key,
          e.Item ? fromItem(e.Item) : undefined,
          { cause: e },
        );
      throw wrap('UpdateItem', item.key, e);
    }
  }

  /**
   * Writes all items or none (TransactWriteItems). A failed condition is a
   * TransactionConditionError naming the failing items. With `clientRequestToken`, a retry of the
   * same call within DynamoDB's 10-minute window is not applied twice.
   */
  async transact(
    items: readonly TransactItem[],
    options: { clientRequestToken?: string } = {},
  ): Promise<void> {
    if (items.length === 0) return;
    if (items.length > MAX_TRANSACTION_ITEMS)
      throw new LedgerError(
        `a transaction holds at most ${MAX_TRANSACTION_ITEMS} items, got ${items.length}`,
      );
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: items.map((i) => this.transactWriteItem(i)),
          ...(options.clientRequestToken ? { ClientRequestToken: options.clientRequestToken } : {}),
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) throw cancellationError(items, e);
      throw new LedgerError(
        `TransactWriteItems (${items.map((i) => i.label).join(', ')}) failed: ${message(e)}`,
        {
          labels: items.map((i) => i.label),
        },
        { cause: e },
      );
    }
  }

  /** Every item of a query, following LastEvaluatedKey through all pages. */
  async queryAll(spec: QuerySpec): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.pages(spec)) items.push(...page);
    return items;
  }

  /** The first `limit` items of a query, reading no further page than needed. */
  async queryFirst(spec: QuerySpec, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.pages({ ...spec, pageSize: spec.pageSize ?? limit })) {
      items.push(...page);
      if (items.length >= limit) break;
    }
    return items.slice(0, limit);
  }

  private async *pages(spec: QuerySpec): AsyncGenerator<Item[]> {
    const [pk, sk] = spec.index === 'GSI1' ? ['GSI1PK', 'GSI1SK'] : ['PK', 'SK'];
    if (spec.index !== undefined && spec.consistent === true)
      throw new LedgerError('a GSI cannot be read strongly consistent');
    const names: Record<string, string> = { '#pk': pk };
    const values: Item = { ':pk': { S: spec.partition } };
    let expression = '#pk = :pk';
    const sort = spec.sort;
    if (sort !== undefined) {
      names['#sk'] = sk;
      if ('beginsWith' in sort) {
        expression += ' AND begins_with(#sk, :sk)';
        values[':sk'] = { S: sort.beginsWith };
      } else {
        expression += ' AND #sk BETWEEN :from AND :to';
        values[':from'] = { S: sort.between[0] };
        values[':to'] = { S: sort.between[1] };
      }
    }
    const projection = (spec.attributes ?? []).map((name, i) => {
      names[`#a${i}`] = name;
      return `#a${i}`;
    });
    const input: QueryCommandInput = {
      TableName: this.tableName,
      ...(projection.length > 0 ? { ProjectionExpression: projection.join(', ') } : {}),
      ...(spec.index ? { IndexName: spec.index } : { ConsistentRead: spec.consistent ?? true }),
      KeyConditionExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: spec.forward ?? true,
      ...(spec.pageSize ? { Limit: spec.pageSize } : {}),
    };
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.call('Query', { PK: spec.partition, SK: spec.index ?? '' }, () =>
        this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
      );
      yield page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  private transactWriteItem(i: TransactItem): TransactWriteItem {
    const common = { TableName: this.tableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
    switch (i.kind) {
      case 'put':
        return { Put: { ...common, Item: i.item, ...conditionInput(i.condition) } };
      case 'delete':
        return { Delete: { ...common, Key: keyItem(i.key), ...conditionInput(i.condition) } };
      case 'check':
        return {
          ConditionCheck: {
            ...common,
            Key: keyItem(i.key),
            ...conditionInput(i.condition),
            ConditionExpression: i.condition.expression,
          },
        };
      case 'update':
        return {
          Update: {
            ...common,
            Key: keyItem(i.key),
            UpdateExpression: i.update,
            ExpressionAttributeNames: nonEmpty({ ...i.names, ...i.condition?.names }),
            ExpressionAttributeValues: nonEmpty({ ...i.values, ...i.condition?.values }),
            ...(i.condition ? { ConditionExpression: i.condition.expression } : {}),
          },
        };
    }
  }

  private async call<T>(operation: string, key: ItemKey, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw wrap(operation, key, e);
    }
  }
}

/**
 * An update item that sets `fields` and moves `version` from `expectedVersion` to the next, under
 * the condition that the item is at `expectedVersion` (so it exists).
 */
export function versionedUpdate(
  label: string,
  key: ItemKey,
  expectedVersion: number,
  fields: Readonly<Record<string, Plain>>,
): Extract<TransactItem, { kind: 'update' }> {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Item = { ':next': { N: String(expectedVersion + 1) } };
  const sets = ['#version = :next'];
  Object.entries(fields).forEach(([name, value], i) => {
    if (name === 'version' || name === 'PK' || name === 'SK')
      throw new LedgerError(`cannot set ${name} in an update`);
    names[`#f${i}`] = name;
    values[`:f${i}`] = toAttribute(value, name);
    sets.push(`#f${i} = :f${i}`);
  });
  return {
    kind: 'update',
    label,
    key,
    update: `SET ${sets.join(', ')}`,
    names,
    values,
    condition: {
      expression: '#version = :expected',
      values: { ':expected': { N: String(expectedVersion) } },
    },
  };
}

function keyItem(key: ItemKey): Item {
  return { PK: { S: key.PK }, SK: { S: key.SK } };
}

function itemKey(item: Item): ItemKey {
  const PK = item.PK?.S;
  const SK = item.SK?.S;
  if (PK === undefined || SK === undefined)
    throw new LedgerError('an item needs string PK and SK attributes');
  return { PK, SK };
}

function conditionInput(condition: Condition | undefined) {
  if (condition === undefined) return {};
  return {
    ConditionExpression: condition.expression,
    ...(condition.names && Object.keys(condition.names).length > 0
      ? { ExpressionAttributeNames: { ...condition.names } }
      : {}),
    ...(condition.values && Object.keys(condition.values).length > 0
      ? { ExpressionAttributeValues: { ...condition.values } }
      : {}),
  };
}

function nonEmpty<T extends object>(record: T): T | undefined {
  return Object.keys(record).length > 0 ? record : undefined;
}

function cancellationError(items: readonly TransactItem[], e: TransactionCanceledException): Error {
  const reasons = e.CancellationReasons ?? [];
  const failures = (code: string): TransactionFailure[] =>
    reasons.flatMap((r, index) =>
      r.Code === code
        ? [
            {
              index,
              label: items[index]?.label ?? `item ${index}`,
              code,
              message: r.Message,
              current: r.Item ? fromItem(r.Item) : undefined,
            },
          ]
        : [],
    );
  const conditions = failures('ConditionalCheckFailed');
  if (conditions.length > 0) return new TransactionConditionError(conditions, { cause: e });
  const conflicts = failures('TransactionConflict');
  if (conflicts.length > 0) return new TransactionConflictError(conflicts, { cause: e });
  const codes = reasons.map((r, i) => `#${i} ${items[i]?.label ?? ''}: ${r.Code ?? '?'}`).join(', ');
  return new LedgerError(`transaction cancelled: ${codes}`, { codes }, { cause: e });
}

function wrap(operation: string, key: ItemKey, e: unknown): Error {
  if (e instanceof LedgerError || e instanceof ConditionFailedError) return e;
  return new LedgerError(
    `${operation} ${key.PK} / ${key.SK} failed: ${message(e)}`,
    { operation, key },
    { cause: e },
  );
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
