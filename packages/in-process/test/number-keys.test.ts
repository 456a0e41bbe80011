import { CreateTableCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { InMemoryDynamoDb, inProcessDynamoDbClient } from '../src';

describe('the in-process DynamoDB with number keys', () => {
  it('holds equal numbers as one key, whatever their text ("1.0" and "1")', async () => {
    const client = inProcessDynamoDbClient(new InMemoryDynamoDb());
    await client.send(
      new CreateTableCommand({
        TableName: 't',
        AttributeDefinitions: [
          { AttributeName: 'p', AttributeType: 'S' },
          { AttributeName: 'n', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'p', KeyType: 'HASH' },
          { AttributeName: 'n', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new PutItemCommand({ TableName: 't', Item: { p: { S: 'a' }, n: { N: '1.0' }, v: { S: 'x' } } }),
    );
    await client.send(
      new PutItemCommand({ TableName: 't', Item: { p: { S: 'a' }, n: { N: '10' }, v: { S: 'z' } } }),
    );
    await client.send(
      new PutItemCommand({ TableName: 't', Item: { p: { S: 'a' }, n: { N: '01' }, v: { S: 'y' } } }),
    );
    const got = await client.send(
      new GetItemCommand({ TableName: 't', Key: { p: { S: 'a' }, n: { N: '1.00' } } }),
    );
    expect(got.Item).toEqual({ p: { S: 'a' }, n: { N: '1' }, v: { S: 'y' } });
    const all = await client.send(
      new QueryCommand({
        TableName: 't',
        KeyConditionExpression: 'p = :p',
        ExpressionAttributeValues: { ':p': { S: 'a' } },
      }),
    );
    expect(all.Items?.map((i) => [i.n?.N, i.v?.S])).toEqual([
      ['1', 'y'],
      ['10', 'z'],
    ]);
  });
});
