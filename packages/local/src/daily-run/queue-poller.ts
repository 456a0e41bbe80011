import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '@books/core';
import { z } from 'zod';

const BatchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })),
});

/** An SQS-triggered handler, as Lambda calls it with ReportBatchItemFailures. */
export type SqsHandler = (event: { Records: SqsEventRecord[] }) => Promise<unknown>;

/**
 * One record of an SQS event, shaped as Lambda's event source mapping delivers it (the poller
 * fills every field; tests that hand-build records may leave out what the handler ignores).
 */
export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp?: string;
    readonly SenderId?: string;
    readonly ApproximateFirstReceiveTimestamp?: string;
  };
  readonly messageAttributes?: Record<string, unknown>;
  readonly md5OfBody?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN?: string;
  readonly awsRegion?: string;
}

export interface PollerOptions {
  readonly batchSize?: number;
  /** Seconds before a failed message is delivered again (Lambda would wait the visibility timeout). */
  readonly retryDelaySeconds?: number;
  /** Stop after this many consecutive empty receives while nothing is in flight. */
  readonly idleRounds?: number;
  /** Hard stop, in receives. */
  readonly maxRounds?: number;
  /** Long polling: how long one receive waits for a message (0: return at once). */
  readonly waitTimeSeconds?: number;
  /** Stops polling (a receive in progress is abandoned; a batch being handled is finished). */
  readonly signal?: AbortSignal;
}

export interface DrainReport {
  readonly delivered: number;
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * The local stand-in for Lambda's SQS event source: receives batches, calls the handler, and
 * deletes ONLY the records it did not report in `batchItemFailures` (serverless-offline-sqs
 * deletes the whole batch, which would lose failed trades). Failed records become visible again
 * after `retryDelaySeconds`; the queue's redrive policy moves them to the DLQ after its
 * maxReceiveCount, as in AWS.
 */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
  handler: SqsHandler,
  logger: Logger,
  options: PollerOptions = {},
): Promise<DrainReport> {
  const batchSize = options.batchSize ?? 5;
  const idleRounds = options.idleRounds ?? 3;
  const maxRounds = options.maxRounds ?? 10_000;
  let delivered = 0;
  let succeeded = 0;
  let failed = 0;
  const waitTimeSeconds = options.waitTimeSeconds ?? 0;
  const signal = options.signal;
  const eventSourceARN = await queueArn(sqs, queueUrl);
  let idle = 0;
  for (let round = 0; round < maxRounds && idle < idleRounds && !signal?.aborted; round++) {
    let received: ReceiveMessageCommandOutput;
    try {
      received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        signal ? { abortSignal: signal } : {},
      );
    } catch (e) {
      if (signal?.aborted) break;
      throw e;
    }
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      idle = (await inFlight(sqs, queueUrl)) > 0 ? 0 : idle + 1;
      if (waitTimeSeconds === 0) await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    idle = 0;
    const records = messages.map((m) => eventRecord(m, eventSourceARN));
    delivered += records.length;
    let failures: Set<string>;
    try {
      const response = BatchResponseSchema.parse(await handler({ Records: records }));
      failures = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (e) {
      logger.error({ event: 'batch-failed', err: e }, 'the handler failed the whole batch');
      failures = new Set(records.map((r) => r.messageId));
    }
    for (const r of records) {
      if (failures.has(r.messageId)) {
        failed++;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: r.receiptHandle,
            VisibilityTimeout: options.retryDelaySeconds ?? 1,
          }),
        );
      } else {
        succeeded++;
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: r.receiptHandle }));
      }
    }
  }
  return { delivered, succeeded, failed };
}

function eventRecord(m: Message, eventSourceARN: string): SqsEventRecord {
  const now = String(Date.now());
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? now,
      SenderId: m.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? now,
    },
    messageAttributes: m.MessageAttributes ?? {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: eventSourceARN.split(':')[3] ?? 'us-east-1',
  };
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return (
    attrs.Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop() ?? ''}`
  );
}

async function inFlight(sqs: SQSClient, queueUrl: string): Promise<number> {
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessages'],
    }),
  );
  const n = (k: 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateNumberOfMessages') =>
    Number(attrs.Attributes?.[k] ?? '0');
  return n('ApproximateNumberOfMessagesNotVisible') + n('ApproximateNumberOfMessages');
}
