import {
  CreateTableCommand,
  GetItemCommand,
  IdempotentParameterMismatchException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { InMemoryDynamoDb, inProcessDynamoDbClient } from '../src';

describe('the in-process DynamoDB’s transaction client request tokens', () => {
  let nowMs = Date.parse('2026-12-06T08:00:00Z');
  const client = inProcessDynamoDbClient(new InMemoryDynamoDb(() => nowMs));
  beforeAll(() =>
    client.send(
      new CreateTableCommand({
        TableName: 't',
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
  );
  const add = (p: string, token: string, by = '1') =>
    client.send(
      new TransactWriteItemsCommand({
        ClientRequestToken: token,
        TransactItems: [
          {
            Update: {
              TableName: 't',
              Key: { p: { S: p } },
              UpdateExpression: 'ADD n :by',
              ExpressionAttributeValues: { ':by': { N: by } },
            },
          },
        ],
      }),
    );
  const n = async (p: string) =>
    (await client.send(new GetItemCommand({ TableName: 't', Key: { p: { S: p } } }))).Item?.n?.N;

  it('applies a request retried with its token once, and refuses another request with it, for ten minutes', async () => {
    await add('a', 'token-a');
    await add('a', 'token-a');
    expect(await n('a')).toBe('1');
    await expect(add('a', 'token-a', '2')).rejects.toBeInstanceOf(IdempotentParameterMismatchException);
    nowMs += 9 * 60 * 1000;
    await add('a', 'token-a');
    expect(await n('a')).toBe('1');
    // Past the window the token is free again, whatever other tokens came meanwhile.
    for (let i = 0; i < 5; i++) await add(`other-${i}`, `token-other-${i}`);
    nowMs += 2 * 60 * 1000;
    await add('a', 'token-a', '2');
    expect(await n('a')).toBe('3');
    await add('other-0', 'token-other-0');
    expect(await n('other-0')).toBe('1');
  });
});
