import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Money, StrategyId } from '@books/core';
import {
  ABSENT,
  BookRepository,
  batchGetItems,
  batchKeyOf,
  ConditionFailedError,
  fromItem,
  LedgerTable,
  loadBook,
  PoolRepository,
  TransactionConditionError,
  toItem,
  transactGetItems,
  transferItems,
  VersionConflictError,
} from '@books/ledger-client';
import { createTestQueues, createTestTable, testDefinitions, uniqueName } from '@books/testkit';
import { InMemoryDynamoDb, InMemorySqs, inProcessDynamoDbClient, inProcessSqsClient } from '../src';

/**
 * The in-process DynamoDB and SQS against the real local servers (DynamoDB Local, the SQS
 * server), through the same repositories and commands: what a backtest relies on behaves the same
 * on both. Each case runs on each backend.
 */

interface TableBackend {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  cleanup(): Promise<void>;
}

async function inProcessTable(): Promise<TableBackend> {
  const definition = testDefinitions().tables.find((t) => t.logicalId === 'LedgerTable');
  if (!definition) throw new Error('serverless.yml declares no LedgerTable');
  const client = inProcessDynamoDbClient(new InMemoryDynamoDb());
  const tableName = uniqueName('contract', 120);
  await client.send(new CreateTableCommand({ ...definition.createTable, TableName: tableName }));
  return { client, tableName, cleanup: async () => {} };
}

const tables: readonly [string, () => Promise<TableBackend>][] = [
  ['DynamoDB Local', () => createTestTable('contract')],
  ['the in-process DynamoDB', inProcessTable],
];

const item = (pk: string, sk: string, extra: Record<string, string | number> = {}) =>
  toItem({ PK: pk, SK: sk, ...extra });
const AT = '2026-11-24T14:00:00.000Z';

describe.each(tables)('the ledger on %s', (_name, open) => {
  let backend: TableBackend;
  let table: LedgerTable;
  beforeEach(async () => {
    backend = await open();
    table = new LedgerTable(backend.client, backend.tableName);
  });
  afterEach(() => backend.cleanup());

  it('puts only if absent, and a lost condition carries the item as it is', async () => {
    expect(await table.putIfAbsent(item('A', 'once', { v: 'first' }))).toBe(true);
    expect(await table.putIfAbsent(item('A', 'once', { v: 'second' }))).toBe(false);
    const failure = table.put(item('A', 'once', { v: 'third' }), ABSENT);
    await expect(failure).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(failure).rejects.toMatchObject({ current: { v: 'first' } });
  });

  it('writes nothing of a transaction whose one condition fails, and names the failing item', async () => {
    await table.put(item('T', 'existing'));
    const attempt = table.transact([
      { kind: 'put', label: 'fresh', item: item('T', 'fresh'), condition: ABSENT },
      { kind: 'put', label: 'the existing one', item: item('T', 'existing'), condition: ABSENT },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(TransactionConditionError);
    await expect(attempt).rejects.toMatchObject({
      failures: [{ index: 1, label: 'the existing one', code: 'ConditionalCheckFailed' }],
    });
    expect(await table.getItem({ PK: 'T', SK: 'fresh' })).toBeUndefined();
  });

  it('refuses two operations on one item in a transaction', async () => {
    await expect(
      table.transact([
        { kind: 'put', label: 'one', item: item('D', 'same') },
        { kind: 'put', label: 'two', item: item('D', 'same') },
      ]),
    ).rejects.toThrow(/multiple operations on one item/);
  });

  it('applies a transaction retried with the same client request token once', async () => {
    await table.put(item('C', 'counter', { n: 0 }));
    const increment = {
      kind: 'update' as const,
      label: 'counter',
      key: { PK: 'C', SK: 'counter' },
      update: 'SET n = n + :one',
      values: { ':one': { N: '1' } },
    };
    // A token of this test alone: DynamoDB Local remembers tokens across tables for ten minutes.
    const token = randomUUID();
    await table.transact([increment], { clientRequestToken: token });
    await table.transact([increment], { clientRequestToken: token });
    expect((await table.getItem({ PK: 'C', SK: 'counter' }))?.n).toEqual({ N: '1' });
  });

  it('reads many keys in batches of at most 100: each item once, absent ones left out', async () => {
    for (let i = 0; i < 130; i += 2) await table.put(item('B', `k${String(i).padStart(3, '0')}`, { n: i }));
    const keys = Array.from({ length: 130 }, (_, i) => ({ PK: 'B', SK: `k${String(i).padStart(3, '0')}` }));
    const found = await batchGetItems(table, [...keys, ...keys.slice(0, 5)]);
    expect(found.size).toBe(65);
    expect(fromItem(found.get(batchKeyOf({ PK: 'B', SK: 'k128' })) ?? {})).toMatchObject({ n: '128' });
    expect(found.has(batchKeyOf({ PK: 'B', SK: 'k129' }))).toBe(false);
  });

  it('reads items together in one transactional read, in their order, absent ones as undefined', async () => {
    await table.put(item('G', 'a', { n: 1 }));
    await table.put(item('G', 'c', { n: 3 }));
    const keys = ['a', 'b', 'c'].map((sk) => ({ PK: 'G', SK: sk }));
    const found = await transactGetItems(table, keys);
    expect(found.map((i) => i && fromItem(i).n)).toEqual(['1', undefined, '3']);
  });

  it('updates with a version only from the expected one, and reports the version found', async () => {
    await table.put(item('V', 'versioned', { version: 1, cash: '10' }));
    expect(await table.updateWithVersion({ PK: 'V', SK: 'versioned' }, 1, { cash: '11' })).toBe(2);
    const stale = table.updateWithVersion({ PK: 'V', SK: 'versioned' }, 1, { cash: '12' });
    await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
    await expect(stale).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 2 });
  });

  it('queries a partition in sort-key order through every page, by range and by prefix, both ways', async () => {
    for (let i = 0; i < 12; i++) await table.put(item('Q', `item#${String(i).padStart(2, '0')}`));
    await table.put(item('Q', 'other'));
    const sks = (items: readonly { SK?: { S?: string } }[]) => items.map((i) => i.SK?.S);
    expect(sks(await table.queryAll({ partition: 'Q', pageSize: 5 }))).toHaveLength(13);
    expect(
      sks(await table.queryAll({ partition: 'Q', sort: { between: ['item#03', 'item#05'] }, pageSize: 1 })),
    ).toEqual(['item#03', 'item#04', 'item#05']);
    expect(
      sks(await table.queryFirst({ partition: 'Q', sort: { beginsWith: 'item#' }, forward: false }, 2)),
    ).toEqual(['item#11', 'item#10']);
    const projected = await table.queryAll({
      partition: 'Q',
      sort: { beginsWith: 'oth' },
      attributes: ['SK'],
    });
    expect(projected).toEqual([{ SK: { S: 'other' } }]);
  });

  it.each([
    ['SK = :v', { ':v': 'b#2' }, ['b#2']],
    ['SK < :v', { ':v': 'b#1' }, ['a', 'b', 'b#0']],
    ['SK <= :v', { ':v': 'b#1' }, ['a', 'b', 'b#0', 'b#1']],
    ['SK > :v', { ':v': 'b#2' }, ['c']],
    ['SK >= :v', { ':v': 'b#2' }, ['b#2', 'c']],
    ['SK BETWEEN :v AND :w', { ':v': 'b', ':w': 'b#1' }, ['b', 'b#0', 'b#1']],
    ['begins_with(SK, :v)', { ':v': 'b#' }, ['b#0', 'b#1', 'b#2']],
    ['begins_with(SK, :v)', { ':v': 'bz' }, []],
  ])('matches exactly the sort keys of %s (%j)', async (range, values, expected) => {
    for (const sk of ['c', 'b#2', 'a', 'b#0', 'b', 'b#1']) await table.put(item('R', sk));
    await table.put(item('R2', 'b#1'));
    const out = await backend.client.send(
      new QueryCommand({
        TableName: backend.tableName,
        KeyConditionExpression: `PK = :pk AND ${range}`,
        ExpressionAttributeValues: {
          ':pk': { S: 'R' },
          ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { S: v }])),
        },
        ConsistentRead: true,
      }),
    );
    expect(out.Items?.map((i) => i.SK?.S)).toEqual(expected);
  });

  it('continues a query after its last page key even when that item has been deleted since', async () => {
    for (const sk of ['a', 'b', 'c', 'd']) await table.put(item('P', sk));
    const page = (start?: Record<string, { S: string }>) =>
      backend.client.send(
        new QueryCommand({
          TableName: backend.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'P' } },
          ConsistentRead: true,
          Limit: 2,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
    const first = await page();
    expect(first.LastEvaluatedKey).toEqual({ PK: { S: 'P' }, SK: { S: 'b' } });
    await table.transact([{ kind: 'delete', label: 'b', key: { PK: 'P', SK: 'b' } }]);
    const next = await page({ PK: { S: 'P' }, SK: { S: 'b' } });
    expect(next.Items?.map((i) => i.SK?.S)).toEqual(['c', 'd']);
  });

  it('queries the GSI by its own keys, leaving out items without them', async () => {
    await table.put(item('S#a#TRADE#2', 'METADATA', { GSI1PK: 'S#a', GSI1SK: 'TRADE#2024-01-03' }));
    await table.put(item('S#a#TRADE#1', 'METADATA', { GSI1PK: 'S#a', GSI1SK: 'TRADE#2024-01-02' }));
    await table.put(item('S#a#TRADE#3', 'METADATA', { GSI1PK: 'S#a', GSI1SK: 'TRADE#2024-02-01' }));
    await table.put(item('S#a#BOOK', 'CASH'));
    const found = await table.queryAll({
      index: 'GSI1',
      partition: 'S#a',
      sort: { between: ['TRADE#2024-01-01', 'TRADE#2024-01-31'] },
    });
    expect(found.map((i) => i.PK?.S)).toEqual(['S#a#TRADE#1', 'S#a#TRADE#2']);
  });

  it('orders sort keys by their UTF-8 bytes, above the basic plane too', async () => {
    for (const sk of ['k\u{1F600}', 'k\uFFFD', 'ka', 'k\u00E9', 'k']) await table.put(item('U', sk));
    const found = await table.queryAll({ partition: 'U' });
    expect(found.map((i) => i.SK?.S)).toEqual(['k', 'ka', 'k\u00E9', 'k\uFFFD', 'k\u{1F600}']);
  });

  it('keeps the table and GSI1 in order through overwrites and deletes', async () => {
    for (const n of [5, 1, 4, 2, 3])
      await table.put(item('O', `sk${n}`, { GSI1PK: 'G#o', GSI1SK: `at#${n}` }));
    // Moved in the index, removed from it (no GSI key), deleted, written again unchanged.
    await table.put(item('O', 'sk2', { GSI1PK: 'G#o', GSI1SK: 'at#9' }));
    await table.put(item('O', 'sk4', { v: 'no index key' }));
    await table.transact([{ kind: 'delete', label: 'gone', key: { PK: 'O', SK: 'sk3' } }]);
    await table.put(item('O', 'sk5', { GSI1PK: 'G#o', GSI1SK: 'at#5' }));
    const rows = await table.queryAll({ partition: 'O' });
    expect(rows.map((i) => i.SK?.S)).toEqual(['sk1', 'sk2', 'sk4', 'sk5']);
    const indexed = await table.queryAll({ index: 'GSI1', partition: 'G#o' });
    expect(indexed.map((i) => i.SK?.S)).toEqual(['sk1', 'sk5', 'sk2']);
  });

  it('keeps decimal numbers exact and normalized: the pool’s ADD of cash to the cent', async () => {
    const books = new BookRepository(table);
    const pool = new PoolRepository(table);
    expect(await pool.open(Money.parse('1000.00'), AT, 'stage start')).toBe('opened');
    const sid = StrategyId('alpha');
    await table.transact(
      transferItems(books, await loadBook(books, sid), sid, {
        id: 'capital:r1:alpha',
        amount: Money.parse('600.25'),
        reason: 'funding',
        at: AT,
      }),
    );
    expect((await pool.read())?.cash.toString()).toBe('399.75');
    await expect(
      table.transact(
        transferItems(books, await loadBook(books, sid), sid, {
          id: 'capital:r2:alpha',
          amount: Money.parse('399.76'),
          reason: 'drift',
          at: AT,
        }),
      ),
    ).rejects.toBeInstanceOf(TransactionConditionError);
    const raw = await table.getItem({ PK: 'N', SK: 'n' });
    expect(raw).toBeUndefined();
    await backend.client.send(
      new PutItemCommand({
        TableName: backend.tableName,
        Item: { PK: { S: 'N' }, SK: { S: 'n' }, x: { N: '010.500' } },
      }),
    );
    expect((await table.getItem({ PK: 'N', SK: 'n' }))?.x).toEqual({ N: '10.5' });
  });

  it('refuses what DynamoDB refuses: an unused placeholder, a reserved word, a key attribute in an update', async () => {
    const { client, tableName } = backend;
    await table.put(item('R', 'r', { status: 'OPEN' }));
    const key = { PK: { S: 'R' }, SK: { S: 'r' } };
    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET v = :v',
          ExpressionAttributeValues: { ':v': { S: 'x' }, ':unused': { S: 'y' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk',
          FilterExpression: 'status = :s',
          ExpressionAttributeValues: { ':pk': { S: 'R' }, ':s': { S: 'OPEN' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET SK = :v',
          ExpressionAttributeValues: { ':v': { S: 'moved' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

interface QueueBackend {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterUrl: string;
  readonly maxReceiveCount: number;
  cleanup(): Promise<void>;
}

async function inProcessQueues(): Promise<QueueBackend> {
  const definitions = testDefinitions().queues;
  const main = definitions.find((q) => q.logicalId === 'ExecutionQueue');
  const dlq = definitions.find((q) => q.logicalId === main?.deadLetter?.targetLogicalId);
  if (!main?.deadLetter || !dlq) throw new Error('serverless.yml declares no ExecutionQueue with a DLQ');
  const client = inProcessSqsClient(new InMemorySqs());
  const deadLetterUrl =
    (
      await client.send(
        new CreateQueueCommand({ QueueName: 'contract-dlq', Attributes: { ...dlq.attributes } }),
      )
    ).QueueUrl ?? '';
  const arn =
    (
      await client.send(
        new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn ?? '';
  const queueUrl =
    (
      await client.send(
        new CreateQueueCommand({
          QueueName: 'contract',
          Attributes: {
            ...main.attributes,
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: arn,
              maxReceiveCount: main.deadLetter.maxReceiveCount,
            }),
          },
        }),
      )
    ).QueueUrl ?? '';
  return {
    client,
    queueUrl,
    deadLetterUrl,
    maxReceiveCount: main.deadLetter.maxReceiveCount,
    cleanup: async () => {},
  };
}

const queues: readonly [string, () => Promise<QueueBackend>][] = [
  [
    'the SQS server',
    async () => {
      const q = await createTestQueues('contract');
      return {
        client: q.client,
        queueUrl: q.queueUrl,
        deadLetterUrl: q.deadLetter.queueUrl,
        maxReceiveCount: q.maxReceiveCount,
        cleanup: () => q.cleanup(),
      };
    },
  ],
  ['the in-process SQS', inProcessQueues],
];

describe.each(queues)('the execution queue on %s', (_name, open) => {
  let q: QueueBackend;
  beforeEach(async () => {
    q = await open();
  });
  afterEach(() => q.cleanup());

  const receive = async (url: string) =>
    (
      await q.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('hides a received message until it is deleted or released, then delivers it again with its count', async () => {
    await q.client.send(
      new SendMessageBatchCommand({
        QueueUrl: q.queueUrl,
        Entries: [
          { Id: '0', MessageBody: 'sell' },
          { Id: '1', MessageBody: 'buy' },
        ],
      }),
    );
    const first = await receive(q.queueUrl);
    expect(first.map((m) => m.Body).toSorted()).toEqual(['buy', 'sell']);
    expect(await receive(q.queueUrl)).toEqual([]);
    const [a, b] = first;
    await q.client.send(new DeleteMessageCommand({ QueueUrl: q.queueUrl, ReceiptHandle: a?.ReceiptHandle }));
    await q.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: q.queueUrl,
        ReceiptHandle: b?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive(q.queueUrl);
    expect(again.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([[b?.Body, '2']]);
  });

  it('moves a message received maxReceiveCount times without success to the dead-letter queue', async () => {
    await q.client.send(
      new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: [{ Id: '0', MessageBody: 'poison' }] }),
    );
    for (let i = 0; i < q.maxReceiveCount; i++) {
      const [m] = await receive(q.queueUrl);
      expect(m?.Body).toBe('poison');
      await q.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: q.queueUrl,
          ReceiptHandle: m?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(await receive(q.queueUrl)).toEqual([]);
    expect((await receive(q.deadLetterUrl)).map((m) => m.Body)).toEqual(['poison']);
  });
});
