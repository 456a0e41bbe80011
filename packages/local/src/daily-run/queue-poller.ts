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
import * as z from 'zod';

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
  /**
   * How long to wait, with nothing to receive, for messages in flight to come back before giving
   * up on them (they stay on the queue and come back when their visibility timeout ends).
   * Default: `retryDelaySeconds` + 10 s, time enough for the ones this drain released to return.
   */
  readonly inFlightWaitSeconds?: number;
  /** Pause after an empty short-poll receive, in ms (default 100; an in-process queue needs none). */
  readonly emptyReceiveDelayMs?: number;
}

export interface DrainReport {
  readonly delivered: number;
  readonly succeeded: number;
  readonly failed: number;
  /**
   * Messages still in flight when the drain gave up waiting for them: received and neither deleted
   * nor released, by an earlier run that stopped or by another consumer. Absent when none.
   */
  readonly leftInFlight?: number;
}

/** Seconds a drain waits for in-flight messages beyond its own retry delay, by default. */
const IN_FLIGHT_GRACE_SECONDS = 10;

/**
 * The local stand-in for Lambda's SQS event source: receives batches, calls the handler, and
 * deletes ONLY the records it did not report in `batchItemFailures` (serverless-offline-sqs
 * deletes the whole batch, which would lose failed trades). Failed records become visible again
 * after `retryDelaySeconds`; the queue's redrive policy moves them to the DLQ after its
 * maxReceiveCount, as in AWS.
 *
 * Never loses a message: a failed record that cannot be released (ChangeMessageVisibility fails)
 * or a succeeded one that cannot be deleted is logged and left to SQS, which delivers it again
 * when its visibility timeout ends (execution is idempotent). With nothing to receive while
 * messages are in flight, it says so in the log and waits at most `inFlightWaitSeconds` for them.
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
  const inFlightWaitMs =
    (options.inFlightWaitSeconds ?? (options.retryDelaySeconds ?? 1) + IN_FLIGHT_GRACE_SECONDS) * 1000;
  const eventSourceARN = await queueArn(sqs, queueUrl);
  let idle = 0;
  /** Since when nothing could be received while messages were in flight (undefined: not waiting). */
  let waitingSince: number | undefined;
  let leftInFlight = 0;
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
      const pending = await inFlight(sqs, queueUrl);
      if (pending.count === 0) {
        idle++;
        waitingSince = undefined;
      } else {
        idle = 0;
        const now = Date.now();
        if (waitingSince === undefined) {
          waitingSince = now;
          logger.warn(
            {
              event: 'waiting-for-in-flight',
              queueUrl,
              inFlight: pending.count,
              visibilityTimeoutSeconds: pending.visibilityTimeoutSeconds,
              waitSeconds: inFlightWaitMs / 1000,
            },
            `${pending.count} message(s) of ${queueName(queueUrl)} are in flight (received, not yet deleted or released); ` +
              `waiting up to ${inFlightWaitMs / 1000} s for them to come back`,
          );
        } else if (now - waitingSince >= inFlightWaitMs) {
          leftInFlight = pending.count;
          logger.warn(
            {
              event: 'left-in-flight',
              queueUrl,
              inFlight: pending.count,
              visibilityTimeoutSeconds: pending.visibilityTimeoutSeconds,
            },
            `gave up on ${pending.count} in-flight message(s) of ${queueName(queueUrl)}: they stay on the queue and ` +
              `come back within its visibility timeout (${pending.visibilityTimeoutSeconds ?? '?'} s); drain again then`,
          );
          break;
        }
      }
      if (waitTimeSeconds === 0) await new Promise((r) => setTimeout(r, options.emptyReceiveDelayMs ?? 100));
      continue;
    }
    idle = 0;
    waitingSince = undefined;
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
        await settle(logger, r, 'release', () =>
          sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: r.receiptHandle,
              VisibilityTimeout: options.retryDelaySeconds ?? 1,
            }),
          ),
        );
      } else {
        succeeded++;
        await settle(logger, r, 'delete', () =>
          sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: r.receiptHandle })),
        );
      }
    }
  }
  return { delivered, succeeded, failed, ...(leftInFlight > 0 ? { leftInFlight } : {}) };
}

/**
 * Releases or deletes one record. A failure is logged, not thrown: the message stays on the queue
 * and SQS delivers it again when its visibility timeout ends, which at-least-once delivery allows;
 * throwing would abort the drain and strand the rest of the batch in flight.
 */
async function settle(
  logger: Logger,
  record: SqsEventRecord,
  action: 'release' | 'delete',
  send: () => Promise<unknown>,
): Promise<void> {
  try {
    await send();
  } catch (e) {
    logger.warn(
      { event: `${action}-failed`, messageId: record.messageId, err: e },
      `could not ${action} message ${record.messageId}; it comes back when its visibility timeout ends`,
    );
  }
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

/** Messages on the queue the last receive did not return (in flight, or visible a moment too late). */
async function inFlight(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ count: number; visibilityTimeoutSeconds: number | undefined }> {
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessages',
        'VisibilityTimeout',
      ],
    }),
  );
  const n = (k: 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateNumberOfMessages') =>
    Number(attrs.Attributes?.[k] ?? '0');
  const visibility = attrs.Attributes?.VisibilityTimeout;
  return {
    count: n('ApproximateNumberOfMessagesNotVisible') + n('ApproximateNumberOfMessages'),
    visibilityTimeoutSeconds: visibility === undefined ? undefined : Number(visibility),
  };
}

function queueName(queueUrl: string): string {
  return queueUrl.split('/').pop() ?? queueUrl;
}
