import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createLogger } from '@books/core';
import { createTestQueues, type TestQueues, testSqs } from '@books/testkit';
import { drainQueue, type SqsEventRecord } from '../../src/daily-run/queue-poller';

const silent = createLogger({ service: 'test' }, { destination: { write: () => undefined } });

describe('the local SQS poller', () => {
  let queues: TestQueues;
  const sqs = testSqs();
  afterAll(() => sqs.destroy());
  beforeEach(async () => {
    queues = await createTestQueues('poller');
  });
  afterEach(async () => {
    await queues.cleanup();
  });

  async function send(bodies: string[]) {
    for (const body of bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
  }

  it('deletes the records a handler succeeded on and redelivers only the ones it reported failed', async () => {
    await send(['ok-1', 'flaky', 'ok-2']);
    const seen: string[] = [];
    let flakyAttempts = 0;
    const report = await drainQueue(
      sqs,
      queues.queueUrl,
      async (event: { Records: SqsEventRecord[] }) => {
        const failures = [];
        for (const r of event.Records) {
          seen.push(r.body);
          if (r.body === 'flaky' && ++flakyAttempts < 3) failures.push({ itemIdentifier: r.messageId });
        }
        return { batchItemFailures: failures };
      },
      silent,
      { retryDelaySeconds: 0 },
    );
    expect(report).toEqual({ delivered: 5, succeeded: 3, failed: 2 });
    expect(seen.filter((b) => b === 'ok-1')).toHaveLength(1);
    expect(flakyAttempts).toBe(3);
  });

  it('lets the redrive policy move a message that always fails to the dead-letter queue', async () => {
    await send(['poison']);
    await drainQueue(
      sqs,
      queues.queueUrl,
      async (event: { Records: SqsEventRecord[] }) => ({
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
      }),
      silent,
      { retryDelaySeconds: 0, maxRounds: 200 },
    );
    const dlq = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.deadLetter.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('1');
  });
});
