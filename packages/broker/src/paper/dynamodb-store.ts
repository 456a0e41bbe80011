import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { ConcurrencyError, canonical, type Money } from '@books/core';
import { DuplicateClientOrderIdError } from '../errors';
import { isOpenOrderStatus } from '../port';
import { CorruptPaperState, decodeCorporate, decodeOpenOrders, decodeOrder, decodePositions } from './codec';
import type { PaperAccountState, PaperOrderRecord, Versioned } from './records';
import { PaperAccountMissing, type PaperBrokerStore, type PaperCommit } from './store';

export const DEFAULT_PAPER_BROKER_TABLE = 'paper-broker';

export interface DynamoDbPaperBrokerStoreOptions {
  readonly client: DynamoDBClient;
  /** Default "paper-broker". */
  readonly tableName?: string;
  /** Several paper accounts may share a table; default "default". */
  readonly accountId?: string;
}

/**
 * The paper broker's state in DynamoDB, so every process sees one account.
 *
 * Keys (all in one partition per account, pk = `ACCOUNT#{accountId}`):
 *   sk `STATE`                   cash, positions (JSON, decimals as strings), version, openOrders
 *                                (JSON: the client order ids of the orders not yet terminal)
 *   sk `ORDER#{clientOrderId}`   the order (JSON), revision, isOpen
 *   sk `ORDERID#{orderId}`       clientOrderId: lookup by broker id
 *
 * A commit is one TransactWriteItems:
 *   account Put     if version = expected      (else ConcurrencyError: re-read and re-decide)
 *   new order Put   if attribute_not_exists    (else DuplicateClientOrderIdError)
 *   order Put       if revision = expected     (else ConcurrencyError)
 * Two processes that read the same account version cannot both commit, so an order is never
 * filled twice and cash is never spent twice.
 *
 * The open-order index (`openOrders` of STATE) changes only in those commits, as part of the
 * account Put: the version condition makes the index and the orders' statuses one atomic change,
 * so listing open orders reads the account and its open orders, O(open), not every order ever
 * placed. A commit derives the next index from the one stored at its expected version. An account
 * written before the index existed has no `openOrders`: it is listed by querying every order, and
 * its next commit writes the index.
 *
 * Making a store sends nothing, and no operation checks the table first: an operation on a missing
 * table fails with ResourceNotFoundException, upon which the store creates the table (on-demand,
 * keys pk/sk), waits until it is active and sends that operation once more. A table that cannot be
 * created fails the operation with an error naming it and how to provision it; the next operation
 * tries again. `ensureTable` provisions it ahead (the embedded stage does, with its other tables).
 */
export class DynamoDbPaperBrokerStore implements PaperBrokerStore {
  readonly tableName: string;
  private readonly pk: string;
  private readonly client: DynamoDBClient;
  /** The open-order index as last read or written, by account version (a version's index never changes). */
  private known: { readonly version: number; readonly open: readonly string[] } | undefined;
  /** The account's JSON fields change at a commit only: an unchanged text is not decoded again. */
  private readonly positionsOf = lastDecoded(decodePositions);
  private readonly corporateOf = lastDecoded(decodeCorporate);
  private readonly openOrdersOf = lastDecoded(decodeOpenOrders);

  constructor(options: DynamoDbPaperBrokerStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName ?? DEFAULT_PAPER_BROKER_TABLE;
    this.pk = `ACCOUNT#${options.accountId ?? 'default'}`;
  }

  /** The table's creation under way (operations that found it missing share it). */
  private creating: Promise<void> | undefined;

  /**
   * Creates the table (on-demand, keys pk/sk) unless it exists, and waits until it is active: the
   * store's table provisioned ahead of its first operation (one DescribeTable when it exists).
   */
  async ensureTable(): Promise<void> {
    if (await this.isActive()) return;
    await this.createTable();
  }

  /**
   * `send` of an operation; when the table is missing, the table is created and the operation sent
   * once more (every operation of the store is safe to send again after a ResourceNotFoundException:
   * nothing was read or written).
   */
  private async onTable<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
      await this.createTable();
      return send();
    }
  }

  /** The table created and active; one creation at a time (a failed one is not kept). */
  private createTable(): Promise<void> {
    this.creating ??= this.createTableAndWait().then(
      () => {
        this.creating = undefined;
      },
      (e: unknown) => {
        this.creating = undefined;
        throw new Error(
          `the paper broker's table ${this.tableName} does not exist and could not be created: ${e instanceof Error ? e.message : String(e)}. ` +
            'Create it (on-demand, string keys pk and sk), as LocalWorld.open does through DynamoDbPaperBrokerStore.ensureTable',
          { cause: e },
        );
      },
    );
    return this.creating;
  }

  private async createTableAndWait(): Promise<void> {
    try {
      const out = await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      if (out.TableDescription?.TableStatus === 'ACTIVE') return;
    } catch (e) {
      // Another process is creating it: wait for it as for ours.
      if (!(e instanceof ResourceInUseException)) throw e;
    }
    for (let i = 0; i < 100; i++) {
      if (await this.isActive()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`table ${this.tableName} did not become active`);
  }

  private async isActive(): Promise<boolean> {
    try {
      const d = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      return d.Table?.TableStatus === 'ACTIVE';
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
      return false;
    }
  }

  /** Also creates the table when it is absent. */
  async initialise(cash: Money): Promise<void> {
    try {
      await this.onTable(() =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: this.accountItem({ cash: canonical(cash.value), positions: {} }, 0, []),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async loadAccount(): Promise<Versioned<PaperAccountState>> {
    return this.accountOf(await this.stateItem());
  }

  async loadAccountAndOpenOrders(): Promise<{
    readonly account: Versioned<PaperAccountState>;
    readonly open: PaperOrderRecord[];
  }> {
    const item = await this.stateItem();
    return { account: this.accountOf(item), open: await this.openOrdersIn(item) };
  }

  private accountOf(item: Record<string, AttributeValue>): Versioned<PaperAccountState> {
    const where = `${this.tableName} ${this.pk} STATE`;
    const cash = str(item, 'cash', where);
    if (!/^-?\d+(\.\d+)?$/.test(cash))
      throw new CorruptPaperState(`${where}: cash: expected a decimal string`);
    const corporate = item.corporate?.S;
    return {
      value: {
        cash,
        positions: this.positionsOf(str(item, 'positions', where), where),
        ...(corporate === undefined ? {} : { corporate: this.corporateOf(corporate, where) }),
      },
      version: int(item, 'version', where),
    };
  }

  /** The STATE item (consistent read); remembers its open-order index by version. */
  private async stateItem(): Promise<Record<string, AttributeValue>> {
    const { Item: item } = await this.onTable(() =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key('STATE'), ConsistentRead: true }),
      ),
    );
    if (!item) throw new PaperAccountMissing(`${this.pk} in ${this.tableName}`);
    const where = `${this.tableName} ${this.pk} STATE`;
    const open = item.openOrders?.S;
    if (open !== undefined)
      this.known = { version: int(item, 'version', where), open: this.openOrdersOf(open, where) };
    return item;
  }

  async getOrder(id: string): Promise<PaperOrderRecord | undefined> {
    const out = await this.onTable(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: this.key(`ORDERID#${id}`),
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    return this.getOrderByClientId(str(out.Item, 'clientOrderId', `${this.pk} ORDERID#${id}`));
  }

  async getOrderByClientId(clientOrderId: string): Promise<PaperOrderRecord | undefined> {
    const out = await this.onTable(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: this.key(`ORDER#${clientOrderId}`),
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? this.orderOf(out.Item) : undefined;
  }

  async listOpenOrders(): Promise<PaperOrderRecord[]> {
    return this.openOrdersIn(await this.stateItem());
  }

  /** The open orders the STATE item's index names (every order queried when it has none). */
  private async openOrdersIn(item: Record<string, AttributeValue>): Promise<PaperOrderRecord[]> {
    const indexed = item.openOrders?.S;
    if (indexed === undefined) return this.queryOpenOrders();
    const where = `${this.tableName} ${this.pk} STATE`;
    const orders: PaperOrderRecord[] = [];
    for (const clientOrderId of this.openOrdersOf(indexed, where)) {
      // An order read after the index may have moved on meanwhile: only those still open count.
      const order = await this.getOrderByClientId(clientOrderId);
      if (order && isOpenOrderStatus(order.status)) orders.push(order);
    }
    return orders.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  }

  /** Every order of the account, filtered on `isOpen`: the listing of an account without an index. */
  private async queryOpenOrders(): Promise<PaperOrderRecord[]> {
    const orders: PaperOrderRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page: Record<string, AttributeValue> | undefined = start;
      const out = await this.onTable(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            FilterExpression: 'isOpen = :open',
            ExpressionAttributeValues: {
              ':pk': { S: this.pk },
              ':prefix': { S: 'ORDER#' },
              ':open': { BOOL: true },
            },
            ConsistentRead: true,
            ExclusiveStartKey: page,
          }),
        ),
      );
      for (const item of out.Items ?? []) orders.push(this.orderOf(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return orders.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  }

  async commit(change: PaperCommit): Promise<void> {
    const expectedVersion = change.account.expectedVersion;
    const open = nextOpenOrders(await this.openOrdersAt(expectedVersion), change);
    const items: TransactWriteItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.accountItem(change.account.next, expectedVersion + 1, open),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': { N: String(change.account.expectedVersion) } },
        },
      },
    ];
    const newOrderIndex = change.newOrder ? items.length : -1;
    if (change.newOrder) {
      const order = { ...change.newOrder, revision: 0 };
      items.push(
        {
          Put: {
            TableName: this.tableName,
            Item: this.orderItem(order),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...this.key(`ORDERID#${order.id}`), clientOrderId: { S: order.clientOrderId } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      );
    }
    for (const u of change.updatedOrders ?? []) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: this.orderItem({ ...u.order, revision: u.expectedRevision + 1 }),
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': { N: String(u.expectedRevision) } },
        },
      });
    }
    try {
      await this.onTable(() => this.client.send(new TransactWriteItemsCommand({ TransactItems: items })));
      this.known = { version: expectedVersion + 1, open };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      if (change.newOrder && reasons[newOrderIndex]?.Code === 'ConditionalCheckFailed')
        throw new DuplicateClientOrderIdError(change.newOrder.clientOrderId, { cause: e });
      throw new ConcurrencyError(
        'paper account changed meanwhile',
        { table: this.tableName, account: this.pk },
        {
          cause: e,
        },
      );
    }
  }

  /**
   * The open-order index of the account at `version`: as remembered, else as stored (a stored
   * version other than `version` is the ConcurrencyError the commit would meet), else, for an
   * account stored before the index, from every order.
   */
  private async openOrdersAt(version: number): Promise<readonly string[]> {
    if (this.known?.version === version) return this.known.open;
    const item = await this.stateItem();
    const where = `${this.tableName} ${this.pk} STATE`;
    if (int(item, 'version', where) !== version)
      throw new ConcurrencyError('paper account changed meanwhile', {
        table: this.tableName,
        account: this.pk,
      });
    const open = item.openOrders?.S;
    if (open !== undefined) return this.openOrdersOf(open, where);
    return (await this.queryOpenOrders()).map((o) => o.clientOrderId);
  }

  private key(sk: string): Record<string, AttributeValue> {
    return { pk: { S: this.pk }, sk: { S: sk } };
  }

  private accountItem(
    state: PaperAccountState,
    version: number,
    openOrders: readonly string[],
  ): Record<string, AttributeValue> {
    return {
      ...this.key('STATE'),
      openOrders: { S: JSON.stringify(openOrders) },
      cash: { S: state.cash },
      positions: { S: JSON.stringify(state.positions) },
      ...(state.corporate === undefined ? {} : { corporate: { S: JSON.stringify(state.corporate) } }),
      version: { N: String(version) },
    };
  }

  private orderItem(order: PaperOrderRecord): Record<string, AttributeValue> {
    return {
      ...this.key(`ORDER#${order.clientOrderId}`),
      orderId: { S: order.id },
      record: { S: JSON.stringify(order) },
      status: { S: order.status },
      isOpen: { BOOL: isOpenOrderStatus(order.status) },
      revision: { N: String(order.revision) },
    };
  }

  private orderOf(item: Record<string, AttributeValue>): PaperOrderRecord {
    const where = `${this.tableName} ${this.pk} ${item.sk?.S ?? '?'}`;
    return decodeOrder(str(item, 'record', where), where);
  }
}

/**
 * A decoder that remembers the last text and what it decoded to (shared by its callers, who copy
 * before they change: the account's values are read-only).
 */
function lastDecoded<T>(decode: (json: string, where: string) => T): (json: string, where: string) => T {
  let last: { readonly json: string; readonly value: T } | undefined;
  return (json, where) => {
    if (last?.json === json) return last.value;
    const value = decode(json, where);
    last = { json, value };
    return value;
  };
}

/** The open-order index after a commit: closed orders leave it, a new open order joins it. */
function nextOpenOrders(open: readonly string[], change: PaperCommit): string[] {
  const next = new Set(open);
  for (const { order } of change.updatedOrders ?? [])
    if (isOpenOrderStatus(order.status)) next.add(order.clientOrderId);
    else next.delete(order.clientOrderId);
  if (change.newOrder && isOpenOrderStatus(change.newOrder.status)) next.add(change.newOrder.clientOrderId);
  return [...next];
}

function str(item: Record<string, AttributeValue>, name: string, where: string): string {
  const v = item[name]?.S;
  if (v === undefined) throw new CorruptPaperState(`${where}: ${name}: missing`);
  return v;
}

function int(item: Record<string, AttributeValue>, name: string, where: string): number {
  const v = item[name]?.N;
  if (v === undefined || !/^\d+$/.test(v))
    throw new CorruptPaperState(`${where}: ${name}: expected an integer`);
  return Number(v);
}
