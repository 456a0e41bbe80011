import type { TradingDate } from '@books/core';
import type { Services } from '@books/runtime';
import { LedgerActivities } from '../adapters/ledger-activities';
import type { PendingActivity } from '../ports';
import { pendingOf } from '../wiring';
import { type IngestSummary, ingestActivities, poolOpeningDay } from './ingest-activities';

/** The coordinator's port: posts the broker's new activities to the books before a plan. */
export interface ActivityIngestion {
  /** `stillPending`: the ledger's pending activities after it, when it read them and wrote none. */
  /** `known.poolOpenedAt`: when the pool opened, as the caller just read it (not read again). */
  ingest(
    date: TradingDate,
    at: string,
    known?: { readonly poolOpenedAt?: string },
  ): Promise<IngestSummary & { readonly stillPending?: readonly PendingActivity[] }>;
}

/** The ingestion over a stage's services (its broker and ledger). */
export function ledgerActivityIngestion(services: Services): ActivityIngestion {
  return {
    async ingest(date, at, known) {
      const summary = await ingestActivities(
        {
          broker: services.broker,
          ledger: new LedgerActivities(services.table, services.books, services.trades),
          logger: services.logger.child({ function: 'activities' }),
        },
        {
          date,
          at,
          ...(known?.poolOpenedAt === undefined ? {} : { poolOpenedOn: poolOpeningDay(known.poolOpenedAt) }),
        },
      );
      return summary.stored ? { ...summary, stillPending: pendingOf(summary.stored) } : summary;
    },
  };
}
