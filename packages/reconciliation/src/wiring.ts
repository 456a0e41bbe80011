import { Money } from '@books/core';
import { ActivityRepository, PoolRepository } from '@books/ledger-client';
import type { Services } from '@books/runtime';
import { FileStrategyIds } from './adapters/file-strategy-ids';
import { LedgerExternalBook } from './adapters/ledger-external-book';
import {
  BrokerAccountSource,
  LedgerBookSource,
  LedgerReconResults,
  LedgerRunOrders,
} from './adapters/ledger-reconciliation';
import type { ReconcileAccountPorts } from './ports';

/** The ports of a reconciliation over a stage's services: its ledger, broker and configuration. */
export function reconciliationPorts(services: Services): ReconcileAccountPorts {
  const { env } = services;
  return {
    stage: env.BOOKS_STAGE,
    config: new FileStrategyIds(env.BOOKS_STRATEGIES_DIR, env.BOOKS_STRATEGIES_CONFIG),
    runs: new LedgerRunOrders(env.BOOKS_STAGE, services.runs),
    books: new LedgerBookSource(services.books),
    broker: new BrokerAccountSource(services.broker),
    pool: { balance: async () => (await new PoolRepository(services.table).read())?.cash ?? Money.ZERO },
    external: new LedgerExternalBook(services),
    activities: {
      async pending() {
        const all = await new ActivityRepository(services.table, services.books).list();
        return all
          .filter((a) => a.outcome === 'pending')
          .map((a) => ({ id: a.activityId, type: a.activityType, symbol: a.symbol, reason: a.reason ?? '' }));
      },
    },
    results: new LedgerReconResults(services.recon),
    clock: services.clock,
    logger: services.logger.child({ function: 'reconciler' }),
  };
}
