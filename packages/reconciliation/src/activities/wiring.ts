import type { TradingDate } from '@books/core';
import type { Services } from '@books/runtime';
import { LedgerActivities } from '../adapters/ledger-activities';
import type { PendingActivity } from '../ports';
import { pendingOf } from '../wiring';
import {
  type ActivityReads,
  type IngestPorts,
  type IngestSummary,
  ingestActivities,
  poolOpeningDay,
  readActivities,
} from './ingest-activities';

type IngestResult = IngestSummary & { readonly stillPending?: readonly PendingActivity[] };

/** The coordinator's port: posts the broker's new activities to the books before a plan. */
export interface ActivityIngestion {
  /** `stillPending`: the ledger's pending activities after it, when it read them and wrote none. */
  /** `known.poolOpenedAt`: when the pool opened, as the caller just read it (not read again). */
  ingest(date: TradingDate, at: string, known?: { readonly poolOpenedAt?: string }): Promise<IngestResult>;
  /**
   * Starts the ingestion's reads (the ingested activities, the broker's since the pool opened) ahead
   * of it, posting nothing: answers the ingestion of `date` that posts from them, at `at`.
   */
  readAhead(date: TradingDate, poolOpenedAt: string): Promise<(at: string) => Promise<IngestResult>>;
}

/** The ingestion over a stage's services (its broker and ledger). */
export function ledgerActivityIngestion(services: Services): ActivityIngestion {
  const portsOf = (): IngestPorts => ({
    broker: services.broker,
    ledger: new LedgerActivities(services.table, services.books, services.trades),
    logger: services.logger.child({ function: 'activities' }),
  });
  const ingest = async (
    ports: IngestPorts,
    request: Parameters<typeof ingestActivities>[1],
    read?: ActivityReads,
  ): Promise<IngestResult> => {
    const summary = await ingestActivities(ports, request, read);
    return summary.stored ? { ...summary, stillPending: pendingOf(summary.stored) } : summary;
  };
  return {
    ingest(date, at, known) {
      return ingest(portsOf(), {
        date,
        at,
        ...(known?.poolOpenedAt === undefined ? {} : { poolOpenedOn: poolOpeningDay(known.poolOpenedAt) }),
      });
    },
    async readAhead(date, poolOpenedAt) {
      const ports = portsOf();
      const poolOpenedOn = poolOpeningDay(poolOpenedAt);
      const read = await readActivities(ports, poolOpenedOn);
      return (at) => ingest(ports, { date, at, poolOpenedOn }, read);
    },
  };
}
