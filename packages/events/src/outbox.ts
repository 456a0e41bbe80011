import { type Logger, mapBounded } from '@books/core';
import { type StageEvent, StageEventSchema } from './contracts';
import type { EventPublisher } from './publisher';

/** A run's outbox as the drain sees it (ledger-client's OutboxRepository). */
export interface OutboxStore<R> {
  pending(runId: R): Promise<readonly { readonly eventId: string; readonly eventJson: string }[]>;
  markPublished(runId: R, eventId: string, at: string): Promise<void>;
}

/**
 * Publishes a run's pending outbox events, then marks each published.
 *
 * At least once, never lost: an event is marked only after the bus accepted it. A crash or a
 * failed publish leaves it pending, and the next drain of the run (the message's redelivery, the
 * run's completion) publishes it again, with the same id; so does a drain racing another one.
 * A stored event that no longer parses is an error: it is never dropped silently.
 * Returns the events published.
 */
export async function drainOutbox<R>(
  deps: {
    readonly outbox: OutboxStore<R>;
    readonly publisher: EventPublisher;
    readonly clock: { now(): Date };
    readonly logger?: Logger;
  },
  runId: R,
): Promise<readonly StageEvent[]> {
  const pending = await deps.outbox.pending(runId);
  if (pending.length === 0) return [];
  const events = pending.map((p) => StageEventSchema.parse(JSON.parse(p.eventJson)));
  await deps.publisher.publish(events);
  const at = deps.clock.now().toISOString();
  // Each event's mark is its own item: marked together, a few at a time.
  await mapBounded(pending, (p) => deps.outbox.markPublished(runId, p.eventId, at));
  deps.logger?.info(
    { event: 'events-published', count: events.length, ids: events.map((e) => e.id) },
    `${events.length} event(s) published`,
  );
  return events;
}
