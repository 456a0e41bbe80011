import type { RunId } from '@books/core';
import { drainOutbox, type EventPublisher } from '@books/events';
import {
  ActivityRepository,
  OutboxRepository,
  PoolRepository,
  type StoredActivity,
} from '@books/ledger-client';
import type { Services } from '@books/runtime';
import { FileStrategyIds } from './adapters/file-strategy-ids';
import { LedgerExternalBook } from './adapters/ledger-external-book';
import {
  BrokerAccountSource,
  LedgerBookSource,
  LedgerReconResults,
  LedgerRunOrders,
} from './adapters/ledger-reconciliation';
import type { PendingActivity, ReconcileAccountPorts } from './ports';

/** The ports of a reconciliation over a stage's services: its ledger, broker and configuration. */
export function reconciliationPorts(services: Services): ReconcileAccountPorts {
  const { env } = services;
  return {
    stage: env.BOOKS_STAGE,
    config: new FileStrategyIds(env.BOOKS_STRATEGIES_DIR, env.BOOKS_STRATEGIES_CONFIG),
    runs: new LedgerRunOrders(env.BOOKS_STAGE, services.runs),
    books: new LedgerBookSource(services.books),
    broker: new BrokerAccountSource(services.broker),
    pool: { balance: async () => (await new PoolRepository(services.table).read())?.cash },
    external: new LedgerExternalBook(services),
    activities: {
      pending: async () => pendingOf(await new ActivityRepository(services.table, services.books).list()),
    },
    results: new LedgerReconResults(services.recon),
    events: services.events,
    clock: services.clock,
    logger: services.logger.child({ function: 'reconciler' }),
  };
}

/** The activities waiting for an operator among the ledger's activities: each a named break. */
export function pendingOf(all: readonly StoredActivity[]): PendingActivity[] {
  return all
    .filter((a) => a.outcome === 'pending')
    .map((a) => ({ id: a.activityId, type: a.activityType, symbol: a.symbol, reason: a.reason ?? '' }));
}

/** A stage's run events: its publisher, and the drain of a run's outbox onto it. */
export interface RunEvents {
  readonly stage: string;
  readonly publisher: EventPublisher;
  /** Publishes the run's pending outbox events (`drainOutbox`). */
  readonly drain: (runId: RunId) => Promise<unknown>;
}

/** The run events over a stage's services: its ledger's outbox, its bus. */
export function runEvents(services: Services): RunEvents {
  const outbox = new OutboxRepository(services.table);
  const logger = services.logger.child({ component: 'events' });
  return {
    stage: services.env.BOOKS_STAGE,
    publisher: services.events,
    drain: (runId) =>
      drainOutbox({ outbox, publisher: services.events, clock: services.clock, logger }, runId),
  };
}
