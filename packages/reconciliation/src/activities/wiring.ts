import type { TradingDate } from '@books/core';
import type { Services } from '@books/runtime';
import { LedgerActivities } from '../adapters/ledger-activities';
import { type IngestSummary, ingestActivities } from './ingest-activities';

/** The coordinator's port: posts the broker's new activities to the books before a plan. */
export interface ActivityIngestion {
  ingest(date: TradingDate, at: string): Promise<IngestSummary>;
}

/** The ingestion over a stage's services (its broker and ledger). */
export function ledgerActivityIngestion(services: Services): ActivityIngestion {
  return {
    ingest: (date, at) =>
      ingestActivities(
        {
          broker: services.broker,
          ledger: new LedgerActivities(services.table, services.books, services.trades),
          logger: services.logger.child({ function: 'activities' }),
        },
        { date, at },
      ),
  };
}
