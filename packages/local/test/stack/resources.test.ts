import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ensureResources, localDynamoDb, localSqs, type StackEndpoints } from '../../src/stack';

// Runs on the jest run's stack; a stage of its own keeps its resources apart from other tests.
const endpoints: StackEndpoints = {
  dynamodb: process.env.BOOKS_TEST_DYNAMODB_ENDPOINT ?? '',
  sqs: process.env.BOOKS_TEST_SQS_ENDPOINT ?? '',
};
const stage = `rt${process.pid}`;

describe('ensureResources', () => {
  const dynamodb = localDynamoDb(endpoints.dynamodb);
  const sqs = localSqs(endpoints.sqs);
  afterAll(() => {
    dynamodb.destroy();
    sqs.destroy();
  });

  it('creates the ledger table as serverless.yml defines it: keys, GSI1, on-demand billing, TTL', async () => {
    const { tables } = await ensureResources(endpoints, stage);
    expect(tables).toEqual([{ logicalId: 'LedgerTable', tableName: `strategy-books-${stage}-ledger` }]);
    const { Table } = await dynamodb.send(
      new DescribeTableCommand({ TableName: `strategy-books-${stage}-ledger` }),
    );
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const gsi = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === 'GSI1');
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: 'GSI1PK', KeyType: 'HASH' },
      { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
    ]);
    expect(gsi?.Projection?.ProjectionType).toBe('ALL');
    const ttl = await dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: `strategy-books-${stage}-ledger` }),
    );
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAtEpochSeconds',
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('creates the execution queue redriving to its dead-letter queue after maxReceiveCount receives', async () => {
    const { queues } = await ensureResources(endpoints, stage);
    const queue = queues.find((q) => q.logicalId === 'ExecutionQueue');
    const dlq = queues.find((q) => q.logicalId === 'ExecutionDeadLetterQueue');
    expect(queue?.queueName).toBe(`strategy-books-${stage}-execution`);
    expect(dlq?.queueName).toBe(`strategy-books-${stage}-execution-dlq`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue?.url, AttributeNames: ['All'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('720');
    expect(Attributes?.MessageRetentionPeriod).toBe('345600');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq?.arn,
      maxReceiveCount: 5,
    });
    const dlqAttributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq?.url, AttributeNames: ['MessageRetentionPeriod'] }),
    );
    expect(dlqAttributes.Attributes?.MessageRetentionPeriod).toBe('1209600');
  });

  it('is idempotent: a second call keeps the existing resources', async () => {
    const first = await ensureResources(endpoints, stage);
    const second = await ensureResources(endpoints, stage);
    expect(second).toEqual(first);
  });

  it('refuses to keep a table whose keys differ from serverless.yml', async () => {
    const drifted = `${stage}x`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: `strategy-books-${drifted}-ledger`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
      }),
    );
    await expect(ensureResources(endpoints, drifted)).rejects.toThrow(
      /exists with other keys than serverless.yml/,
    );
  });
});
