import type { Broker } from '@books/broker';
import type { Clock, Logger } from '@books/core';
import { type EventPublisher, noEventPublisher } from '@books/events';
import {
  BookRepository,
  ControlRepository,
  IntentRepository,
  LedgerTable,
  ReconRepository,
  RunRepository,
  TradeRepository,
} from '@books/ledger-client';
import type { BarStore } from '@books/market-data';
import type { ExecutionQueue } from '@books/queue';
import { barStoreOf } from './bars';
import { createBroker } from './broker';
import { AwsClientNotWired, type AwsClients, lazyAwsClients } from './clients';
import { type ControlsStore, createControlsStore } from './controls-store';
import type { RuntimeEnv } from './env';
import { createFlowFlags, type FlowFlags } from './flow-flags';
import { FULL_WIRING, type FunctionWiring } from './wiring';

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
  /** Trader controls in force (SSM deployed, a file locally) and their ledger side. */
  readonly controls: ControlsStore;
  readonly controlLedger: ControlRepository;
  /** The stage's events (its EventBridge bus; the in-process bus on the embedded stage). */
  readonly events: EventPublisher;
}

export interface ServiceOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** The function these services are for, named to the broker (User-Agent) and in a refused client. */
  readonly caller?: string;
  /** Replaces the broker built from the environment (the local runner shares one across handlers). */
  readonly broker?: Broker;
  readonly bars?: BarStore;
  /** Replaces the clients built from the environment (a backtest's in-process DynamoDB and SQS). */
  readonly clients?: AwsClients;
  /** Replaces the bus from the environment (the embedded stage's in-process bus). */
  readonly events?: EventPublisher;
}

/** The stage's services with every AWS client (the CLI, the embedded stack, tests): see servicesWith. */
export function createServices(env: RuntimeEnv, options: ServiceOptions): Promise<Services> {
  return servicesWith(env, FULL_WIRING, options);
}

/**
 * The stage's services for one process, over what `wiring` makes (a Lambda function's wiring names
 * it, and its bundle holds only that). Nothing is built for what the function
 * never reaches: each client is made on first use, and the queue, the bar store and the flow flags
 * on first access; the broker is built here without a call (Alpaca's reads its keys on its first
 * request; the simulated one reads its account and the bars on its first), so nothing is
 * awaited before the function's first call.
 */
export async function servicesWith(
  env: RuntimeEnv,
  wiring: FunctionWiring,
  options: ServiceOptions,
): Promise<Services> {
  const owner = options.caller ?? 'books';
  const clients = options.clients ?? lazyAwsClients(env, wiring.clients, owner);
  const table = new LedgerTable(clients.dynamodb, env.BOOKS_TABLE_NAME);
  const bars = once(() => options.bars ?? barStoreOf(env, clients, wiring.s3Bars, owner));
  const broker =
    options.broker ??
    (await createBroker({
      env,
      clients,
      clock: options.clock,
      logger: options.logger,
      processEnv: options.processEnv,
      ...(env.BOOKS_BROKER_MODE === 'simulated' ? { bars: bars() } : {}),
      ...(options.caller ? { caller: options.caller } : {}),
    }));
  const queue = once(() => {
    if (!wiring.queue) throw new AwsClientNotWired('sqs', owner);
    return wiring.queue(clients, env);
  });
  const flows = once(() => createFlowFlags(env.BOOKS_FLOW_FLAGS, () => clients.ssm));
  const controls = once(() => createControlsStore(env.BOOKS_CONTROLS, clients.ssm));
  // A function that publishes names it in its wiring; one that does not, on a stage with a bus, is
  // refused by name rather than silently publishing nothing.
  const events = once((): EventPublisher => {
    if (options.events) return options.events;
    if (wiring.events) return wiring.events(clients, env);
    if (env.BOOKS_EVENT_BUS_NAME) throw new AwsClientNotWired('eventbridge', owner);
    return noEventPublisher;
  });
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
    get queue() {
      return queue();
    },
    get bars() {
      return bars();
    },
    broker,
    get flows() {
      return flows();
    },
    get controls() {
      return controls();
    },
    controlLedger: new ControlRepository(table),
    get events() {
      return events();
    },
  };
}

/** `make`'s value, made on the first call and kept. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
