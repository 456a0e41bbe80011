import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@books/core';
import { type DrainReport, drainQueue, type PollerOptions, type SqsHandler } from '../daily-run/queue-poller';
import { invokeFunction } from './offline-lambda';

/**
 * An SQS handler that delivers each batch to `functionName` over serverless-offline's Lambda
 * endpoint, as Lambda's event source mapping would, and hands back the function's response
 * (its `batchItemFailures` decide which records the poller deletes).
 */
export function offlineSqsHandler(lambda: LambdaClient, functionName: string, logger: Logger): SqsHandler {
  return async (event) => {
    const response = await invokeFunction(lambda, functionName, event);
    logger.info(
      { event: 'batch-invoked', functionName, records: event.Records.length, response },
      `${functionName}: ${event.Records.length} record(s) delivered through serverless-offline`,
    );
    return response;
  };
}

export interface OfflineQueue {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly lambda: LambdaClient;
  readonly functionName: string;
  readonly logger: Logger;
}

/** Delivers the queue through offline until it is empty and nothing is in flight (one day's run). */
export function drainThroughOffline(queue: OfflineQueue, options: PollerOptions = {}): Promise<DrainReport> {
  return drainQueue(
    queue.sqs,
    queue.queueUrl,
    offlineSqsHandler(queue.lambda, queue.functionName, queue.logger),
    queue.logger,
    options,
  );
}

/**
 * The dev loop's event source: long-polls the queue and delivers through offline until `signal`
 * aborts. A failed record becomes visible again after `retryDelaySeconds` and, past the queue's
 * maxReceiveCount, its redrive policy moves it to the DLQ. An error of the queue itself (the stack
 * restarting) is logged and polling resumes.
 */
export async function pollThroughOffline(
  queue: OfflineQueue,
  signal: AbortSignal,
  options: { readonly retryDelaySeconds?: number; readonly waitTimeSeconds?: number } = {},
): Promise<void> {
  while (!signal.aborted) {
    try {
      await drainThroughOffline(queue, {
        waitTimeSeconds: options.waitTimeSeconds ?? 20,
        retryDelaySeconds: options.retryDelaySeconds ?? 10,
        idleRounds: Number.POSITIVE_INFINITY,
        maxRounds: Number.POSITIVE_INFINITY,
        inFlightWaitSeconds: Number.POSITIVE_INFINITY,
        signal,
      });
    } catch (e) {
      if (signal.aborted) break;
      queue.logger.error({ event: 'poll-failed', err: e }, 'polling the queue failed; retrying in 2 s');
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}
