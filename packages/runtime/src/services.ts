import type { Broker } from '@books/broker';
import type { Clock, Logger } from '@books/core';
import type { EventPublisher } from '@books/events';
import {
  BookRepository,
  IntentRepository,
  LedgerTable,
  ReconRepository,
  RunRepository,
  TradeRepository,
} from '@books/ledger-client';
import type { BarStore } from '@books/market-data';
import { type ExecutionQueue, SqsExecutionQueue } from '@books/queue';
import { createBarStore } from './bars';
import { createBroker } from './broker';
import { type AwsClients, createAwsClients } from './clients';
import type { RuntimeEnv } from './env';
import { createEventPublisher } from './event-bus';
import { createFlowFlags, type FlowFlags } from './flow-flags';

/** Everything a function of the stage talks to, built once per process (cold start). */
export interface Services {
  readonly env: RuntimeEnv;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly clients: AwsClients;
  readonly table: LedgerTable;
  readonly books: BookRepository;
  readonly runs: RunRepository;
  readonly intents: IntentRepository;
  readonly trades: TradeRepository;
  readonly recon: ReconRepository;
  readonly queue: ExecutionQueue;
  readonly bars: BarStore | undefined;
  readonly broker: Broker;
  /** Run-time flow overrides per strategy (SSM deployed, a file locally). */
  readonly flows: FlowFlags;
  /** The stage's events (its EventBridge bus; the in-process bus on the embedded stage). */
  readonly events: EventPublisher;
}

export interface ServiceOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** The function these services are for, named to the broker (User-Agent). */
  readonly caller?: string;
  /** Replaces the broker built from the environment (the local runner shares one across handlers). */
  readonly broker?: Broker;
  readonly bars?: BarStore;
  /** Replaces the bus from the environment (the embedded stage's in-process bus). */
  readonly events?: EventPublisher;
}

export async function createServices(env: RuntimeEnv, options: ServiceOptions): Promise<Services> {
  const clients = createAwsClients(env);
  const table = new LedgerTable(clients.dynamodb, env.BOOKS_TABLE_NAME);
  const bars = options.bars ?? createBarStore(env, clients);
  const broker =
    options.broker ??
    (await createBroker({
      env,
      clients,
      clock: options.clock,
      logger: options.logger,
      processEnv: options.processEnv,
      ...(bars ? { bars } : {}),
      ...(options.caller ? { caller: options.caller } : {}),
    }));
  return {
    env,
    clock: options.clock,
    logger: options.logger,
    clients,
    table,
    books: new BookRepository(table),
    runs: new RunRepository(table),
    intents: new IntentRepository(table),
    trades: new TradeRepository(table),
    recon: new ReconRepository(table),
    queue: new SqsExecutionQueue(
      clients.sqs,
      env.BOOKS_EXECUTION_QUEUE_URL
        ? { url: env.BOOKS_EXECUTION_QUEUE_URL }
        : { name: env.BOOKS_EXECUTION_QUEUE_NAME ?? '' },
    ),
    bars,
    broker,
    flows: createFlowFlags(env.BOOKS_FLOW_FLAGS, clients.ssm),
    events: options.events ?? createEventPublisher(env, clients.eventbridge),
  };
}
