import { type StageEvent, StageEventSchema } from './contracts';
import type { EventPublisher } from './publisher';

export type EventHandler = (event: StageEvent) => Promise<void> | void;

/**
 * The embedded stage's bus: every published event is parsed (as a consumer would) and handed to
 * each subscriber in turn, in the publisher's call. As on EventBridge, a target's failure is not
 * the publisher's: the publish succeeds, and the failure goes to `onTargetError` (default: kept in
 * `targetErrors`), never into the fill's or the run's path. Like EventBridge it delivers at least
 * once: subscribers dedupe by id. `published` keeps every delivery, repeats included.
 */
export class InProcessEventBus implements EventPublisher {
  private readonly handlers: EventHandler[] = [];
  private readonly log: StageEvent[] = [];
  readonly targetErrors: { readonly eventId: string; readonly error: unknown }[] = [];

  constructor(private readonly onTargetError?: (event: StageEvent, error: unknown) => void) {}

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
      for (const handler of this.handlers) {
        try {
          await handler(event);
        } catch (error) {
          if (this.onTargetError) this.onTargetError(event, error);
          else this.targetErrors.push({ eventId: event.id, error });
        }
      }
    }
  }

  /** Every event delivered so far, in order, repeats included. */
  get published(): readonly StageEvent[] {
    return this.log;
  }
}
