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
        deps.logger.error(
          { event: 'malformed-message', messageId: record.messageId, problems, ...idsOf(record.body) },
          e.message,
        );
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

const IdsSchema = z.looseObject({
  run_id: z.string().max(200).optional(),
  strategy_id: z.string().max(200).optional(),
  correlation_id: z.string().max(200).optional(),
});

/** Whatever run, strategy and correlation ids a rejected body names, for its log line (never trusted). */
function idsOf(body: string): { runId?: string; strategyId?: string; correlationId?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  const ids = IdsSchema.safeParse(json);
  if (!ids.success) return {};
  return {
    ...(ids.data.run_id ? { runId: ids.data.run_id } : {}),
    ...(ids.data.strategy_id ? { strategyId: ids.data.strategy_id } : {}),
    ...(ids.data.correlation_id ? { correlationId: ids.data.correlation_id } : {}),
  };
}
