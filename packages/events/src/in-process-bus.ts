import { type StageEvent, StageEventSchema } from './contracts';
import type { EventPublisher } from './publisher';

export type EventHandler = (event: StageEvent) => Promise<void> | void;

/** How many of the latest deliveries `published` keeps by default (and target errors). */
export const PUBLISHED_WINDOW = 1_000;

/**
 * The embedded stage's bus: every published event is parsed (as a consumer would) and handed to
 * each subscriber in turn, in the publisher's call. As on EventBridge, a target's failure is not
 * the publisher's: the publish succeeds, and the failure goes to `onTargetError` (default: kept in
 * `targetErrors`), never into the fill's or the run's path. Like EventBridge it delivers at least
 * once: subscribers dedupe by id. `published` keeps the latest `window` deliveries (default
 * PUBLISHED_WINDOW), repeats included, and `targetErrors` as many failures: a long-lived bus (a
 * backtest publishes thousands of events) holds a bounded number of delivered events, not all.
 */
export class InProcessEventBus implements EventPublisher {
  private readonly handlers: EventHandler[] = [];
  private log: StageEvent[] = [];
  private errors: { readonly eventId: string; readonly error: unknown }[] = [];

  constructor(
    private readonly onTargetError?: (event: StageEvent, error: unknown) => void,
    private readonly window: number = PUBLISHED_WINDOW,
  ) {
    if (!(Number.isInteger(window) && window >= 1))
      throw new Error(`the bus's window must be a positive integer, not ${window}`);
  }

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
      this.log = kept(this.log, event, this.window);
      for (const handler of this.handlers) {
        try {
          await handler(event);
        } catch (error) {
          if (this.onTargetError) this.onTargetError(event, error);
          else this.errors = kept(this.errors, { eventId: event.id, error }, this.window);
        }
      }
    }
  }

  /** The latest deliveries (at most the window's), in order, repeats included. */
  get published(): readonly StageEvent[] {
    return latest(this.log, this.window);
  }

  /** The latest failures of a target (without `onTargetError`), at most the window's. */
  get targetErrors(): readonly { readonly eventId: string; readonly error: unknown }[] {
    return latest(this.errors, this.window);
  }
}

function latest<T>(list: readonly T[], window: number): readonly T[] {
  return list.length > window ? list.slice(list.length - window) : list;
}

/**
 * `list` with `entry` appended, its oldest entries dropped beyond `window`: the drop happens once
 * the list reaches twice the window (amortized O(1) per entry, never a shift per entry).
 */
function kept<T>(list: T[], entry: T, window: number): T[] {
  list.push(entry);
  return list.length >= 2 * window ? list.slice(list.length - window) : list;
}
