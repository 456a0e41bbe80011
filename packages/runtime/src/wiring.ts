import type { EventPublisher } from '@books/events';
import type { ExecutionQueue } from '@books/queue';
import { SqsExecutionQueue } from '@books/queue';
import { type S3BarsMaker, s3Bars } from './bars';
import { ALL_AWS_CLIENTS, type AwsClientMakers, type AwsClients } from './clients';
import type { RuntimeEnv } from './env';
import { createEventPublisher } from './event-bus';

/** The execution queue of the stage (BOOKS_EXECUTION_QUEUE_URL, or _NAME looked up on first use). */
export type QueueMaker = (clients: AwsClients, env: RuntimeEnv) => ExecutionQueue;

export const sqsQueue: QueueMaker = (clients, env) =>
  new SqsExecutionQueue(
    clients.sqs,
    env.BOOKS_EXECUTION_QUEUE_URL
      ? { url: env.BOOKS_EXECUTION_QUEUE_URL }
      : { name: env.BOOKS_EXECUTION_QUEUE_NAME ?? '' },
  );

/** The stage's event publisher (its EventBridge bus; none when BOOKS_EVENT_BUS_NAME is unset). */
export type EventsMaker = (clients: AwsClients, env: RuntimeEnv) => EventPublisher;

export const eventBridgeEvents: EventsMaker = (clients, env) =>
  createEventPublisher(env, () => clients.eventbridge);

/**
 * What a function's wiring makes: its AWS clients (each on first use), and the adapters over them
 * that only some functions reach. A bundle holds only what its function's wiring names; reaching
 * anything else is refused by name (AwsClientNotWired).
 */
export interface FunctionWiring {
  readonly clients: AwsClientMakers;
  /** For the functions that enqueue trades (over the SQS client). */
  readonly queue?: QueueMaker;
  /** For the functions that read bars from an `s3://` BOOKS_BARS (over the S3 client). */
  readonly s3Bars?: S3BarsMaker;
  /** For the functions that publish the stage's events (over the EventBridge client). */
  readonly events?: EventsMaker;
}

/** Everything: the CLI, the embedded stack and tests. */
export const FULL_WIRING: FunctionWiring = {
  clients: ALL_AWS_CLIENTS,
  queue: sqsQueue,
  s3Bars,
  events: eventBridgeEvents,
};
