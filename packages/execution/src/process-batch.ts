import { BooksError, type LambdaContext, type Logger, type RunId } from '@books/core';
import { MalformedMessageError, parseExecutionMessage } from '@books/queue';
import * as z from 'zod';
import { UnplannedTradeError } from './adapters/ledger-intents';
import { type ExecutionDeps, executeRequest } from './execute';
import type { SymbolLocks } from './ports';
import { type ExecutionLimits, recordBudget } from './time-budget';

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
  /** The waits and the time reserved per record (see time-budget.ts). */
  readonly limits: ExecutionLimits;
  /**
   * Asked once per run of the batch, after the batch's last request: requests the run's
   * reconciliation once every trade of it is final. Absent, none is asked. `begin` starts reading
   * the run (RunCompletion.begin); its `requestIfComplete` decides on that read.
   */
  readonly completion?: { begin(runId: RunId): { requestIfComplete(): Promise<unknown> } };
}

/** A record not started: the invocation's remaining time cannot cover its worst case. */
export class OutOfTime extends BooksError {
  static override readonly errorName: string = 'OutOfTime';
  constructor(messageId: string, remainingMs: number) {
    super('OUT_OF_TIME', `message ${messageId} not started: ${remainingMs} ms left in the invocation`, {
      messageId,
      remainingMs,
    });
  }
}

/**
 * Executes a batch one record at a time (orders of one batch share the broker's rate limit and
 * may share symbols) and returns one settled result per record, in order, for
 * @middy/sqs-partial-batch-failure: only the rejected records come back to the queue.
 * A malformed message, or one for a trade no run planned, is recorded as poison and settles as
 * fulfilled: retrying cannot fix it.
 * A record is started only while the invocation's remaining time covers its worst case, and its
 * waits are cut to that time (time-budget.ts); the records not started are rejected untouched.
 *
 * Each run of the batch is then finished once, after the batch's last request (not after each):
 * its pending events (its fills' TradeExecuted, written with them to its outbox) are published,
 * and its completion asked; whatever the batch made final is final by then. A failure fails the
 * records of that run that were executed, so their redeliveries (already final) do it again. A
 * crash before it leaves every record of the batch undeleted: they come back and do it; the
 * coordinator's finish asks the completion too (which publishes the outbox first).
 */
export async function processRecords(
  records: readonly SqsRecord[],
  deps: BatchDeps,
  context: Pick<LambdaContext, 'getRemainingTimeInMillis'>,
): Promise<PromiseSettledResult<unknown>[]> {
  const results: PromiseSettledResult<unknown>[] = [];
  /** The run of each executed record (by its index in `results`). */
  const executed = new Map<number, RunId>();
  const plans = deps.execution.plans.forBatch?.() ?? deps.execution.plans;
  for (const [index, record] of records.entries()) {
    const remainingMs = context.getRemainingTimeInMillis();
    const budget = recordBudget(remainingMs, deps.limits);
    if (!budget) {
      const left = records.slice(index);
      deps.logger.warn(
        { event: 'out-of-time', remainingMs, handedBack: left.map((r) => r.messageId) },
        `${left.length} message(s) handed back: ${remainingMs} ms left cannot cover a record`,
      );
      for (const r of left)
        results.push({ status: 'rejected', reason: new OutOfTime(r.messageId, remainingMs) });
      break;
    }
    const execution: ExecutionDeps = {
      ...deps.execution,
      plans,
      fillWaitMs: budget.fillWaitMs,
      locks: lockWaitBoundedBy(deps.execution.locks, context, deps.limits),
    };
    try {
      const request = parseExecutionMessage(record.messageId, record.body);
      const value = await executeRequest(execution, request);
      executed.set(results.length, request.run_id);
      results.push({ status: 'fulfilled', value });
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
  await finishRuns(deps, executed, results);
  return results;
}

/**
 * Publishes each run's pending events and asks its completion, once per run, in the batch's order
 * (the completion's read of the run sent beside the publication); a failure rejects that run's
 * executed records.
 */
async function finishRuns(
  deps: BatchDeps,
  executed: ReadonlyMap<number, RunId>,
  results: PromiseSettledResult<unknown>[],
): Promise<void> {
  for (const runId of new Set(executed.values())) {
    try {
      // The completion's read of the run goes out beside the publication of its outbox: neither
      // changes what the other reads, and the completion acts (its marker, the request) only
      // after the publication.
      const completion = deps.completion?.begin(runId);
      await deps.execution.events?.drain(runId);
      await completion?.requestIfComplete();
    } catch (e) {
      const failed = [...executed].filter(([, r]) => r === runId).map(([index]) => index);
      deps.logger.warn(
        { event: 'run-finish-retry', runId, err: e, records: failed.length },
        `run ${runId}: publishing its events or asking its completion failed; its ${failed.length} record(s) will be retried`,
      );
      for (const index of failed) results[index] = { status: 'rejected', reason: e };
    }
  }
}

/** The lock wait, when the lock is asked for, cut to what the invocation has left by then. */
function lockWaitBoundedBy(
  locks: SymbolLocks,
  context: Pick<LambdaContext, 'getRemainingTimeInMillis'>,
  limits: ExecutionLimits,
): SymbolLocks {
  return {
    withSymbol: (symbol, owner, work) =>
      locks.withSymbol(symbol, owner, work, {
        waitMs: recordBudget(context.getRemainingTimeInMillis(), limits)?.lockWaitMs ?? 0,
      }),
  };
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
