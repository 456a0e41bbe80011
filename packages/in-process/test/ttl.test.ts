import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { InMemoryDynamoDb, inProcessDynamoDbClient, TTL_DELETE_MARGIN_MS } from '../src';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW_MS = Date.parse('2024-06-03T20:00:00Z');
const seconds = (ms: number) => String(Math.floor(ms / 1000));

async function tableWith(db: InMemoryDynamoDb, name: string, ttl: boolean) {
  const client = inProcessDynamoDbClient(db);
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'G', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'GSI1',
          KeySchema: [{ AttributeName: 'G', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  if (ttl)
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  const put = (sk: string, expiresAt?: { N: string } | { S: string }) =>
    client.send(
      new PutItemCommand({
        TableName: name,
        Item: { PK: { S: 'P' }, SK: { S: sk }, G: { S: 'g' }, ...(expiresAt ? { expiresAt } : {}) },
      }),
    );
  const sks = async () =>
    (
      (
        await client.send(
          new QueryCommand({
            TableName: name,
            KeyConditionExpression: 'PK = :p',
            ExpressionAttributeValues: { ':p': { S: 'P' } },
          }),
        )
      ).Items ?? []
    ).map((i) => i.SK?.S);
  const indexed = async () =>
    (
      (
        await client.send(
          new QueryCommand({
            TableName: name,
            IndexName: 'GSI1',
            KeyConditionExpression: 'G = :g',
            ExpressionAttributeValues: { ':g': { S: 'g' } },
          }),
        )
      ).Items ?? []
    ).map((i) => i.SK?.S);
  return { client, put, sks, indexed };
}

describe('the in-process DynamoDB’s TTL deletion', () => {
  it('deletes the items expired longer than the margin before the given time, from the table and its indexes', async () => {
    const db = new InMemoryDynamoDb();
    const t = await tableWith(db, 't', true);
    await t.put('long-expired', { N: seconds(NOW_MS - TTL_DELETE_MARGIN_MS - 1000) });
    await t.put('just-expired', { N: seconds(NOW_MS - TTL_DELETE_MARGIN_MS + DAY_MS) });
    await t.put('future', { N: seconds(NOW_MS + DAY_MS) });
    await t.put('no-ttl');
    await t.put('text-ttl', { S: seconds(NOW_MS - 10 * DAY_MS) });
    await t.put('ancient', { N: seconds(NOW_MS - 6 * 365 * DAY_MS) });
    expect(db.deleteExpired(NOW_MS)).toBe(1);
    const kept = ['ancient', 'future', 'just-expired', 'no-ttl', 'text-ttl'];
    expect(await t.sks()).toEqual(kept);
    expect((await t.indexed()).sort()).toEqual(kept);
    expect(db.deleteExpired(NOW_MS)).toBe(0);
    // Two days later the item expired within the margin is gone too.
    expect(db.deleteExpired(NOW_MS + 2 * DAY_MS)).toBe(1);
    expect(await t.sks()).toEqual(['ancient', 'future', 'no-ttl', 'text-ttl']);
  });

  it('follows an item whose TTL is set, moved or removed by a later write', async () => {
    const db = new InMemoryDynamoDb();
    const t = await tableWith(db, 't', true);
    await t.put('set-later');
    await t.put('moved-later', { N: seconds(NOW_MS - 10 * DAY_MS) });
    const setTtl = (sk: string, ms: number) =>
      t.client.send(
        new UpdateItemCommand({
          TableName: 't',
          Key: { PK: { S: 'P' }, SK: { S: sk } },
          UpdateExpression: 'SET expiresAt = :e',
          ExpressionAttributeValues: { ':e': { N: seconds(ms) } },
        }),
      );
    await setTtl('set-later', NOW_MS - 10 * DAY_MS);
    await setTtl('moved-later', NOW_MS + 10 * DAY_MS);
    expect(db.deleteExpired(NOW_MS)).toBe(1);
    expect(await t.sks()).toEqual(['moved-later']);
    const got = await t.client.send(
      new GetItemCommand({ TableName: 't', Key: { PK: { S: 'P' }, SK: { S: 'set-later' } } }),
    );
    expect(got.Item).toBeUndefined();
  });

  it('deletes nothing from a table without TTL, and everything due once TTL is turned on', async () => {
    const db = new InMemoryDynamoDb();
    const t = await tableWith(db, 'plain', false);
    await t.put('expired', { N: seconds(NOW_MS - 10 * DAY_MS) });
    expect(db.deleteExpired(NOW_MS)).toBe(0);
    expect(await t.sks()).toEqual(['expired']);
    await t.client.send(
      new UpdateTimeToLiveCommand({
        TableName: 'plain',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    expect(db.deleteExpired(NOW_MS)).toBe(1);
    expect(await t.sks()).toEqual([]);
  });
});
