import type { Logger } from '@books/core';
import { MalformedMessageError, parseExecutionMessage } from '@books/queue';
import { z } from 'zod';
import { UnplannedTradeError } from './adapters/ledger-intents';
import { type ExecutionDeps, executeRequest } from './execute';

export const SqsRecordSchema = z.object({
  messageId: z.string().min(1),
  body: z.string(),
  attributes: z.object({ ApproximateReceiveCount: z.string().optional() }).partial().optional(),
});
export const SqsEventSchema = z.object({ Records: z.array(SqsRecordSchema) });
export type SqsRecord = z.infer<typeof SqsRecordSchema>;

/** Where a message that can never be executed is kept for a human, instead of being retried. */
export interface PoisonMessages {
  record(messageId: string, body: string, problems: readonly string[]): Promise<void>;
}

export interface BatchDeps {
  readonly execution: ExecutionDeps;
  readonly poison: PoisonMessages;
  readonly logger: Logger;
}

/**
 * Executes a batch one record at a time (orders of one batch share the broker's rate limit and
 * may share symbols) and returns one settled result per record, in order, for
 * @middy/sqs-partial-batch-failure: only the rejected records come back to the queue.
 * A malformed message, or one for a trade no run planned, is recorded as poison and settles as
 * fulfilled: retrying cannot fix it.
 */
export async function processRecords(
  records: readonly SqsRecord[],
  deps: BatchDeps,
): Promise<PromiseSettledResult<unknown>[]> {
  const results: PromiseSettledResult<unknown>[] = [];
  for (const record of records) {
    try {
      const request = parseExecutionMessage(record.messageId, record.body);
      results.push({ status: 'fulfilled', value: await executeRequest(deps.execution, request) });
    } catch (e) {
      if (e instanceof MalformedMessageError || e instanceof UnplannedTradeError) {
        const problems = e instanceof MalformedMessageError ? e.problems : [e.message];
        deps.logger.error({ event: 'malformed-message', messageId: record.messageId, problems }, e.message);
        await deps.poison.record(record.messageId, record.body, problems);
        results.push({ status: 'fulfilled', value: 'malformed' });
      } else {
        deps.logger.warn(
          {
            event: 'execution-retry',
            messageId: record.messageId,
            err: e,
            receiveCount: record.attributes?.ApproximateReceiveCount,
          },
          `message ${record.messageId} will be retried`,
        );
        results.push({ status: 'rejected', reason: e });
      }
    }
  }
  return results;
}
