import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
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

  async function counts() {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return [Attributes?.ApproximateNumberOfMessages, Attributes?.ApproximateNumberOfMessagesNotVisible];
  }

  function capturingLogger() {
    const lines: { event?: string; inFlight?: number; msg?: string }[] = [];
    const logger = createLogger(
      { service: 'test' },
      { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    );
    return { logger, lines };
  }

  it('says what it waits for when messages are in flight elsewhere, and gives up on them after inFlightWaitSeconds', async () => {
    // An earlier run received this one and stopped: it stays in flight for the queue's 720 s.
    await send(['stranded']);
    const stranded = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl }));
    expect(stranded.Messages).toHaveLength(1);
    await send(['fresh']);
    const { logger, lines } = capturingLogger();
    const started = Date.now();
    const report = await drainQueue(sqs, queues.queueUrl, async () => ({ batchItemFailures: [] }), logger, {
      retryDelaySeconds: 0,
      inFlightWaitSeconds: 1,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report).toEqual({ delivered: 1, succeeded: 1, failed: 0, leftInFlight: 1 });
    const waiting = lines.find((l) => l.event === 'waiting-for-in-flight');
    expect(waiting).toMatchObject({ inFlight: 1 });
    expect(waiting?.msg).toMatch(/1 message\(s\) of .* are in flight/);
    expect(lines.find((l) => l.event === 'left-in-flight')?.msg).toMatch(/visibility timeout \(720 s\)/);
    // Given up on, not lost: it is still on the queue.
    expect(await counts()).toEqual(['0', '1']);
  });

  it('logs a record it cannot release and still settles the rest of the batch, losing none', async () => {
    await send(['vanishes', 'ok']);
    const { logger, lines } = capturingLogger();
    const report = await drainQueue(
      sqs,
      queues.queueUrl,
      async (event: { Records: SqsEventRecord[] }) => {
        const failures = [];
        for (const r of event.Records)
          if (r.body === 'vanishes') {
            // Gone before the poller releases it: its ChangeMessageVisibility fails.
            await sqs.send(
              new DeleteMessageCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: r.receiptHandle }),
            );
            failures.push({ itemIdentifier: r.messageId });
          }
        return { batchItemFailures: failures };
      },
      logger,
      { retryDelaySeconds: 0, batchSize: 10 },
    );
    expect(report).toEqual({ delivered: 2, succeeded: 1, failed: 1 });
    expect(lines.some((l) => l.event === 'release-failed')).toBe(true);
    expect(await counts()).toEqual(['0', '0']);
  });
});
