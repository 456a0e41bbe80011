import { type Clock, systemClock } from '@books/core';
import type { Services } from '@books/runtime';
import { BrokerMarket } from '@books/runtime';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { z } from 'zod';
import { BrokerRunWindows } from './adapters/broker-run-windows';
import { LedgerIntentStore } from './adapters/ledger-intents';
import { LedgerExecutionLedger } from './adapters/ledger-outcomes';
import { LedgerPlannedTrades } from './adapters/ledger-planned-trades';
import { LedgerPoisonMessages } from './adapters/ledger-poison';
import { LedgerRunCompletionStore } from './adapters/ledger-run-completion';
import { LedgerRunProgress } from './adapters/ledger-run-progress';
import { LedgerSymbolLocks, orderDone } from './adapters/ledger-symbol-locks';
import type { ExecutionDeps } from './execute';
import { type BatchDeps, processRecords, SqsEventSchema } from './process-batch';
import { HeldBuyRelease } from './release-buys';
import { type ReconciliationRequester, RunCompletion } from './run-completion';

export interface ExecutionOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fillWaitMs?: number;
  readonly lockWaitMs?: number;
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
  const ledger = new LedgerExecutionLedger(table, services.books, services.trades, services.runs, clock);
  const execution: ExecutionDeps = {
    broker: services.broker,
    intents: new LedgerIntentStore(services.intents, clock),
    ledger,
    plans: new LedgerPlannedTrades(table),
    windows: new BrokerRunWindows(services.runs, services.broker),
    clock,
    locks: new LedgerSymbolLocks(table, options.wallClock ?? systemClock, sleep, {
      ...(options.lockWaitMs ? { waitMs: options.lockWaitMs } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      holderDone: (holder) => orderDone(services.broker, holder),
    }),
    release: new HeldBuyRelease({
      runs: new LedgerRunProgress(table),
      ledger,
      market: new BrokerMarket(services.broker),
      queue: services.queue,
      clock,
      logger,
    }),
    ...(options.reconciliation
      ? {
          completion: new RunCompletion({
            store: new LedgerRunCompletionStore(table),
            reconciliation: options.reconciliation,
            clock,
            logger,
          }),
        }
      : {}),
    sleep,
    logger,
    ...(options.fillWaitMs !== undefined ? { fillWaitMs: options.fillWaitMs } : {}),
  };
  return { execution, poison: new LedgerPoisonMessages(table, clock), logger };
}

/**
 * The SQS-triggered execution function: every record of the batch is parsed and executed, and
 * only the failed ones are reported back (ReportBatchItemFailures).
 */
export function executionFunction(
  services: Services,
  options: ExecutionOptions = {},
): (event: unknown) => Promise<BatchResponse> {
  const deps = executionDeps(services, options);
  const handler = middy(async (event: unknown) =>
    processRecords(SqsEventSchema.parse(event).Records, deps),
  ).use(
    sqsPartialBatchFailure({
      logger: (reason: unknown, record: unknown) =>
        deps.logger.warn({ err: reason, record }, 'record failed'),
    }),
  );
  return async (event) => BatchResponseSchema.parse(await handler(event, LAMBDA_CONTEXT));
}

const BatchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;

/** The middlewares used here read nothing of the Lambda context. */
const LAMBDA_CONTEXT = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'execution',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:execution',
  memoryLimitInMB: '512',
  awsRequestId: 'execution',
  logGroupName: 'execution',
  logStreamName: 'execution',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
