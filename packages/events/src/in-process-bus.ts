import { type StageEvent, StageEventSchema } from './contracts';
import type { EventPublisher } from './publisher';

export type EventHandler = (event: StageEvent) => Promise<void> | void;

/**
 * The embedded stage's bus: every published event is parsed (as a consumer would) and handed to
 * each subscriber in turn, in the publisher's call. A subscriber that throws fails the publish,
 * as a failed PutEvents would, so the publisher's retry republishes. Like EventBridge it delivers
 * at least once: subscribers dedupe by id. `published` keeps every delivery, repeats included.
 */
export class InProcessEventBus implements EventPublisher {
  private readonly handlers: EventHandler[] = [];
  private readonly log: StageEvent[] = [];

  subscribe(handler: EventHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const at = this.handlers.indexOf(handler);
      if (at >= 0) this.handlers.splice(at, 1);
    };
  }

  async publish(events: readonly StageEvent[]): Promise<void> {
    for (const sent of events) {
      // What a consumer receives: the event as JSON, parsed again.
      const event = StageEventSchema.parse(JSON.parse(JSON.stringify(sent)));
      this.log.push(event);
      for (const handler of this.handlers) await handler(event);
    }
  }

  /** Every event delivered so far, in order, repeats included. */
  get published(): readonly StageEvent[] {
    return this.log;
  }
}
