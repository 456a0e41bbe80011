import { lazySchema, type RunId } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * An event waiting in the outbox (`OUTBOX#{runId}` / `EVENT#{eventId}`): written in the transaction
 * of the fact it tells, so the fact is never recorded without it. The event is stored as JSON text
 * (its schema belongs to `@books/events`); `published_at` is set once a publisher's bus accepted
 * it, with `expiresAtEpochSeconds` so that DynamoDB's TTL removes it later. Until then it is
 * pending, and every drain publishes it again (same id).
 */
export interface OutboxEvent {
  readonly runId: RunId;
  readonly eventId: string;
  readonly eventType: string;
  readonly eventJson: string;
  readonly createdAt: string;
  readonly publishedAt?: string;
}

const OutboxEventSchema = lazySchema(() =>
  z.object({
    run_id: field.runId,
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    event_json: z.string().min(2),
    created_at: field.instant,
    published_at: field.instant.optional(),
  }),
);

export function encodeOutboxEvent(event: OutboxEvent): Item {
  return toItem({
    ...keys.outboxEvent(event.runId, event.eventId),
    entity: 'OUTBOX_EVENT',
    run_id: event.runId,
    event_id: event.eventId,
    event_type: event.eventType,
    event_json: event.eventJson,
    created_at: event.createdAt,
    ...(event.publishedAt ? { published_at: event.publishedAt } : {}),
  });
}

export function decodeOutboxEvent(item: Item): OutboxEvent {
  const d = decodeItem(OutboxEventSchema(), item, 'outbox event');
  return {
    runId: d.run_id,
    eventId: d.event_id,
    eventType: d.event_type,
    eventJson: d.event_json,
    createdAt: d.created_at,
    ...(d.published_at ? { publishedAt: d.published_at } : {}),
  };
}
