import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { BooksError } from '@books/core';
import { testDynamo } from './clients';
import { testDefinitions } from './definitions';
import { uniqueName } from './names';

export interface TestTable {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Deletes the table and closes the client. */
  cleanup(): Promise<void>;
}

/**
 * A fresh, uniquely-named table created from serverless.yml's definition of `logicalId`
 * (keys, GSIs, billing mode, TTL), on the test stack's DynamoDB Local.
 */
export async function createTestTable(prefix: string, logicalId = 'LedgerTable'): Promise<TestTable> {
  const definition = testDefinitions().tables.find((t) => t.logicalId === logicalId);
  if (definition === undefined)
    throw new BooksError('TEST_RESOURCE', `serverless.yml declares no table ${logicalId}`, { logicalId });
  const client = testDynamo();
  const tableName = uniqueName(prefix, 120);
  await client.send(new CreateTableCommand({ ...definition.createTable, TableName: tableName }));
  await waitUntilActive(client, tableName);
  if (definition.timeToLiveAttribute !== null) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return {
    tableName,
    client,
    async cleanup() {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } catch (e) {
        if (!(e instanceof ResourceNotFoundException)) throw e;
      } finally {
        client.destroy();
      }
    },
  };
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new BooksError('TEST_RESOURCE', `table ${tableName} did not become ACTIVE`, { tableName });
}
