import type { RunId } from '@books/core';
import { canonicalInstant } from '../instant';
import { keys, SK_PREFIX } from '../keys';
import type { LedgerTable, TransactItem } from '../ledger-table';
import { decodeOutboxEvent, encodeOutboxEvent, type OutboxEvent } from '../records/outbox';

/** How long a published event stays in the outbox (for audit) before DynamoDB's TTL removes it. */
const PUBLISHED_TTL_SECONDS = 30 * 86_400;

/** A run's outbox of events (`OUTBOX#{runId}` / `EVENT#{eventId}`): see `records/outbox.ts`. */
export class OutboxRepository {
  constructor(private readonly table: LedgerTable) {}

  /**
   * The outbox write of a transaction. Unconditional: the transaction's own conditions (the fact's
   * absent-condition) make it the first, and a later write of the same event is the same event.
   */
  putItem(event: Omit<OutboxEvent, 'publishedAt'>): TransactItem {
    return {
      kind: 'put',
      label: `outbox ${event.eventId}`,
      item: encodeOutboxEvent({ ...event, createdAt: canonicalInstant(event.createdAt) }),
    };
  }

  /** The run's events not yet published, oldest first by id (strongly consistent). */
  async pending(runId: RunId): Promise<OutboxEvent[]> {
    const items = await this.table.queryAll({
      partition: keys.outbox(runId),
      sort: { beginsWith: SK_PREFIX.outboxEvent },
      consistent: true,
    });
    return items
      .map(decodeOutboxEvent)
      .filter((e) => e.publishedAt === undefined)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.eventId.localeCompare(b.eventId));
  }

  /** Marks an event published (idempotent: a second publisher's mark keeps the first instant). */
  async markPublished(runId: RunId, eventId: string, at: string): Promise<void> {
    const instant = canonicalInstant(at);
    await this.table.update({
      kind: 'update',
      label: `outbox ${eventId} published`,
      key: keys.outboxEvent(runId, eventId),
      update: 'SET #published = if_not_exists(#published, :at), #ttl = if_not_exists(#ttl, :ttl)',
      names: { '#published': 'published_at', '#ttl': 'expiresAtEpochSeconds' },
      values: {
        ':at': { S: instant },
        ':ttl': { N: String(Math.ceil(Date.parse(instant) / 1000) + PUBLISHED_TTL_SECONDS) },
      },
      condition: { expression: 'attribute_exists(PK)' },
    });
  }
}
