import type { TradingDate } from '@books/core';
import type { Services } from '@books/runtime';
import { LedgerActivities } from '../adapters/ledger-activities';
import type { PendingActivity } from '../ports';
import { pendingOf } from '../wiring';
import { type IngestSummary, ingestActivities } from './ingest-activities';

/** The coordinator's port: posts the broker's new activities to the books before a plan. */
export interface ActivityIngestion {
  /** `stillPending`: the ledger's pending activities after it, when it read them and wrote none. */
  ingest(
    date: TradingDate,
    at: string,
  ): Promise<IngestSummary & { readonly stillPending?: readonly PendingActivity[] }>;
}

/** The ingestion over a stage's services (its broker and ledger). */
export function ledgerActivityIngestion(services: Services): ActivityIngestion {
  return {
    async ingest(date, at) {
      const summary = await ingestActivities(
        {
          broker: services.broker,
          ledger: new LedgerActivities(services.table, services.books, services.trades),
          logger: services.logger.child({ function: 'activities' }),
        },
        { date, at },
      );
      return summary.stored ? { ...summary, stillPending: pendingOf(summary.stored) } : summary;
    },
  };
}
