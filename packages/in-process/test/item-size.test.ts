import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InMemoryDynamoDb, inProcessDynamoDbClient } from '../src';

describe('the in-process DynamoDB’s item size limit', () => {
  const client = inProcessDynamoDbClient(new InMemoryDynamoDb());
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
  const put = (p: string, text: string) =>
    client.send(new PutItemCommand({ TableName: 't', Item: { p: { S: p }, v: { S: text } } }));

  it('counts a string by its UTF-8 bytes: 400 KB of them fit, one byte more does not', async () => {
    // "é" is 2 bytes of UTF-8: with the names and the key, 204,797 of them make 409,597 bytes, two more 409,601.
    const fits = 'é'.repeat(204_797);
    await expect(put('a', fits)).resolves.toBeDefined();
    await expect(put('a', `${fits}éé`)).rejects.toThrow(/Item size has exceeded the maximum allowed size/);
    await expect(put('b', 'x'.repeat(409_597))).resolves.toBeDefined();
    await expect(put('b', 'x'.repeat(409_598))).rejects.toThrow(/Item size has exceeded/);
  });
});
