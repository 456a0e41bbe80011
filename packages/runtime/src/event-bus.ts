import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { BooksError } from '@books/core';
import { EVENT_SOURCE, type EventPublisher, noEventPublisher, type StageEvent } from '@books/events';
import type { RuntimeEnv } from './env';
import { eventBridgeSdk } from './lazy-sdk';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_BATCH = 10;

type EventBridgeSend = Pick<EventBridgeClient, 'send'>;

/**
 * Publishes the stage's events on its EventBridge bus: `source` strategy-books, `detail-type` the
 * event's type, `detail` the whole envelope (its `id` is the one to dedupe by: EventBridge gives
 * each delivery an id of its own). Any entry PutEvents did not accept fails the call, naming it:
 * the caller retries, republishing every event of the call (same ids).
 */
export class EventBridgePublisher implements EventPublisher {
  /**
   * `client`, or the function making it on the first publish (a function whose first invocation
   * publishes nothing loads no EventBridge SDK: lazy-sdk.ts).
   */
  constructor(
    private client: EventBridgeSend | (() => EventBridgeSend),
    private readonly busName: string,
  ) {}

  async publish(events: readonly StageEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (typeof this.client === 'function') this.client = this.client();
    const { client } = this;
    const { PutEventsCommand } = eventBridgeSdk();
    for (let i = 0; i < events.length; i += PUT_EVENTS_BATCH) {
      const batch = events.slice(i, i + PUT_EVENTS_BATCH);
      const response = await client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: e.type,
            Time: new Date(e.occurredAt),
            Detail: JSON.stringify(e),
          })),
        }),
      );
      const failed = (response.Entries ?? [])
        .map((entry, index) => ({ entry, event: batch[index] }))
        .filter(({ entry }) => entry.ErrorCode !== undefined);
      if ((response.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
        throw new BooksError('EVENTS_NOT_PUBLISHED', `EventBridge refused ${failed.length} event(s)`, {
          busName: this.busName,
          failed: failed.map(({ entry, event }) => ({
            id: event?.id,
            code: entry.ErrorCode,
            message: entry.ErrorMessage,
          })),
        });
      }
    }
  }
}

/** The stage's publisher from its environment: its bus, or none when BOOKS_EVENT_BUS_NAME is unset. */
export function createEventPublisher(
  env: RuntimeEnv,
  client: () => Pick<EventBridgeClient, 'send'>,
): EventPublisher {
  // The client is made only for a stage with a bus (a function without one never bundles it), at
  // its first publish.
  return env.BOOKS_EVENT_BUS_NAME
    ? new EventBridgePublisher(client, env.BOOKS_EVENT_BUS_NAME)
    : noEventPublisher;
}
