import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BooksError } from '@books/core';
import { testSqs } from './clients';
import { type TestQueueDefinition, testDefinitions } from './definitions';
import { uniqueName } from './names';

export interface TestQueue {
  readonly queueName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
}

export interface TestQueues extends TestQueue {
  /** The dead-letter queue the definition's RedrivePolicy points at. */
  readonly deadLetter: TestQueue;
  readonly maxReceiveCount: number;
  readonly client: SQSClient;
  /** Deletes both queues and closes the client. */
  cleanup(): Promise<void>;
}

/**
 * A fresh queue and its dead-letter queue, uniquely named, created from serverless.yml's
 * definitions of `logicalId` and its redrive target (attributes and RedrivePolicy included).
 */
export async function createTestQueues(prefix: string, logicalId = 'ExecutionQueue'): Promise<TestQueues> {
  const { queues } = testDefinitions();
  const definition = queues.find((q) => q.logicalId === logicalId);
  const deadLetterDefinition = queues.find((q) => q.logicalId === definition?.deadLetter?.targetLogicalId);
  if (definition?.deadLetter === undefined || deadLetterDefinition === undefined)
    throw new BooksError(
      'TEST_RESOURCE',
      `serverless.yml declares no queue ${logicalId} with a dead-letter queue`,
      {
        logicalId,
      },
    );
  const client = testSqs();
  const name = uniqueName(prefix, 70);
  const deadLetter = await createQueue(client, `${name}-dlq`, deadLetterDefinition, {});
  const queue = await createQueue(client, name, definition, {
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetter.queueArn,
      maxReceiveCount: definition.deadLetter.maxReceiveCount,
    }),
  });
  return {
    ...queue,
    deadLetter,
    maxReceiveCount: definition.deadLetter.maxReceiveCount,
    client,
    async cleanup() {
      try {
        await client.send(new DeleteQueueCommand({ QueueUrl: queue.queueUrl }));
        await client.send(new DeleteQueueCommand({ QueueUrl: deadLetter.queueUrl }));
      } finally {
        client.destroy();
      }
    },
  };
}

async function createQueue(
  client: SQSClient,
  queueName: string,
  definition: TestQueueDefinition,
  extra: Record<string, string>,
): Promise<TestQueue> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: queueName, Attributes: { ...definition.attributes, ...extra } }),
  );
  if (QueueUrl === undefined)
    throw new BooksError('TEST_RESOURCE', `CreateQueue ${queueName} returned no URL`);
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (queueArn === undefined) throw new BooksError('TEST_RESOURCE', `queue ${queueName} has no ARN`);
  return { queueName, queueUrl: QueueUrl, queueArn };
}
