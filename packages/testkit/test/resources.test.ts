import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  createTestBucket,
  createTestQueues,
  createTestTable,
  StackNotRunningError,
  uniqueName,
} from '../src';

describe('createTestTable', () => {
  it('creates a uniquely named table from the LedgerTable definition and deletes it on cleanup', async () => {
    const a = await createTestTable('testkit-table');
    const b = await createTestTable('testkit-table');
    try {
      expect(a.tableName).not.toBe(b.tableName);
      const { Table } = await a.client.send(new DescribeTableCommand({ TableName: a.tableName }));
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['GSI1']);
      const ttl = await a.client.send(new DescribeTimeToLiveCommand({ TableName: a.tableName }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAtEpochSeconds');
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});

describe('createTestQueues', () => {
  it('creates a queue whose redrive policy points at its own fresh dead-letter queue', async () => {
    const queues = await createTestQueues('testkit-queue');
    try {
      const { Attributes } = await queues.client.send(
        new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['All'] }),
      );
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: queues.deadLetter.queueArn,
        maxReceiveCount: 5,
      });
      expect(Attributes?.VisibilityTimeout).toBe('720');
    } finally {
      await queues.cleanup();
    }
  });

  it('moves a message that was received maxReceiveCount times to the dead-letter queue', async () => {
    const queues = await createTestQueues('testkit-redrive');
    try {
      await queues.client.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'poison' }));
      for (let i = 0; i < queues.maxReceiveCount; i++) {
        const { Messages } = await queues.client.send(
          new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
        );
        expect(Messages?.length).toBe(1);
      }
      const again = await queues.client.send(
        new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, WaitTimeSeconds: 0 }),
      );
      expect(again.Messages ?? []).toEqual([]);
      const dead = await queues.client.send(
        new ReceiveMessageCommand({ QueueUrl: queues.deadLetter.queueUrl, WaitTimeSeconds: 1 }),
      );
      expect(dead.Messages?.map((m) => m.Body)).toEqual(['poison']);
      await queues.client.send(
        new DeleteMessageCommand({
          QueueUrl: queues.deadLetter.queueUrl,
          ReceiptHandle: dead.Messages?.[0]?.ReceiptHandle,
        }),
      );
    } finally {
      await queues.cleanup();
    }
  });
});

describe('createTestBucket', () => {
  it('creates a bucket that stores objects and is emptied and deleted on cleanup', async () => {
    const { bucket, client, cleanup } = await createTestBucket('testkit-bucket');
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'bars/SPY.csv', Body: 'date,close\n' }));
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'bars/SPY.csv' }));
      expect(await got.Body?.transformToString()).toBe('date,close\n');
    } finally {
      await cleanup();
    }
  });
});

describe('without a running stack', () => {
  it('fails with an error that says how to start it', async () => {
    const saved = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    delete process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    try {
      await expect(createTestTable('x')).rejects.toThrow(StackNotRunningError);
      await expect(createTestTable('x')).rejects.toThrow(/globalSetup/);
    } finally {
      process.env.BOOKS_TEST_DYNAMODB_ENDPOINT = saved;
    }
  });
});

describe('uniqueName', () => {
  it('keeps names within the limit and to characters every resource kind accepts', () => {
    const name = uniqueName('My Very_Long/Prefix'.repeat(10), 40);
    expect(name.length).toBeLessThanOrEqual(40);
    expect(name).toMatch(/^[a-z0-9-]+$/);
  });
});
