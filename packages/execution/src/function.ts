import { type Clock, describeControl, type LambdaContext, systemClock } from '@books/core';
import { OutboxRepository } from '@books/ledger-client';
import {
  LedgerRunCompletionStore,
  type ReconciliationRequester,
  RunCompletion,
  runEvents,
} from '@books/reconciliation';
import type { LambdaFunction, Services } from '@books/runtime';
import { BrokerMarket } from '@books/runtime';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import * as z from 'zod';
import { BrokerRunWindows } from './adapters/broker-run-windows';
import { LedgerIntentStore } from './adapters/ledger-intents';
import { LedgerExecutionLedger } from './adapters/ledger-outcomes';
import { LedgerPlannedTrades } from './adapters/ledger-planned-trades';
import { LedgerPoisonMessages } from './adapters/ledger-poison';
import { LedgerRunProgress } from './adapters/ledger-run-progress';
import { LedgerSymbolLocks, orderDone } from './adapters/ledger-symbol-locks';
import type { ExecutionDeps } from './execute';
import { type BatchDeps, processRecords, SqsEventSchema } from './process-batch';
import { HeldBuyRelease } from './release-buys';
import { DEFAULT_EXECUTION_LIMITS, type ExecutionLimits } from './time-budget';

export interface ExecutionOptions extends Partial<ExecutionLimits> {
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long a symbol lease outlives a holder that died (wall-clock ms; default 10 min). */
  readonly leaseMs?: number;
  /** Where a complete run's reconciliation is requested; absent, none is requested after runs. */
  readonly reconciliation?: ReconciliationRequester;
  /**
   * The time symbol leases expire by: the real time, whatever the market clock says (a simulated
   * market clock can stand still, and a dead holder's lease must still end).
   */
  readonly wallClock?: Clock;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function executionDeps(services: Services, options: ExecutionOptions = {}): BatchDeps {
  const { table, clock } = services;
  const sleep = options.sleep ?? realSleep;
  const logger = services.logger.child({ function: 'execution' });
  const limits: ExecutionLimits = {
    lockWaitMs: options.lockWaitMs ?? DEFAULT_EXECUTION_LIMITS.lockWaitMs,
    fillWaitMs: options.fillWaitMs ?? DEFAULT_EXECUTION_LIMITS.fillWaitMs,
    stepsMs: options.stepsMs ?? DEFAULT_EXECUTION_LIMITS.stepsMs,
    safetyMarginMs: options.safetyMarginMs ?? DEFAULT_EXECUTION_LIMITS.safetyMarginMs,
  };
  const outbox = new OutboxRepository(table);
  const ledger = new LedgerExecutionLedger(table, services.books, services.trades, services.runs, clock, {
    stage: services.env.BOOKS_STAGE,
    outbox,
  });
  const events = runEvents(services);
  const execution: ExecutionDeps = {
    broker: services.broker,
    intents: new LedgerIntentStore(services.intents, clock),
    ledger,
    plans: new LedgerPlannedTrades(table),
    windows: new BrokerRunWindows(services.runs, services.broker),
    halt: {
      async haltedReason() {
        const { halt } = await services.controls.read();
        return halt && describeControl('halted', halt);
      },
    },
    clock,
    locks: new LedgerSymbolLocks(table, options.wallClock ?? systemClock, sleep, {
      waitMs: limits.lockWaitMs,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      holderDone: (holder) => orderDone(services.broker, holder),
    }),
    release: new HeldBuyRelease({
      runs: new LedgerRunProgress(table),
      ledger,
      market: new BrokerMarket(services.broker),
      // Reached through `services` at the first send: most requests release nothing, and building
      // the queue builds its SQS client (a cold start's first invocation spared it).
      queue: { send: (messages) => services.queue.send(messages) },
      clock,
      logger,
    }),
    events,
    sleep,
    logger,
    fillWaitMs: limits.fillWaitMs,
  };
  return {
    execution,
    poison: new LedgerPoisonMessages(table, clock),
    logger,
    limits,
    ...(options.reconciliation
      ? {
          completion: new RunCompletion({
            store: new LedgerRunCompletionStore(table),
            reconciliation: options.reconciliation,
            clock,
            logger,
            events,
          }),
        }
      : {}),
  };
}

/**
 * The SQS-triggered execution function: every record of the batch is parsed and executed, and
 * only the failed ones are reported back (ReportBatchItemFailures). The invocation's context bounds
 * the batch: records its remaining time cannot cover are handed back unstarted.
 */
export function executionFunction(
  services: Services,
  options: ExecutionOptions = {},
): LambdaFunction<BatchResponse> {
  const deps = executionDeps(services, options);
  // Middy reads the context too: just before the deadline it answers with every record failed
  // while the work goes on unseen. The time budget keeps the batch from ever getting there.
  const handler = middy(async (event: unknown, context: LambdaContext) =>
    processRecords(SqsEventSchema.parse(event).Records, deps, context),
  ).use(
    sqsPartialBatchFailure({
      logger: (reason: unknown, record: unknown) =>
        deps.logger.warn({ err: reason, record }, 'record failed'),
    }),
  );
  return async (event, context) => BatchResponseSchema.parse(await handler(event, context));
}

const BatchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;
