import { BooksError, errorMessage, type Logger } from '@books/core';
import type { RenderedMessage } from './render';
import type { NotificationSink } from './sinks';

/** A sink by the name its deliveries are remembered under (`sns`, `webhook`, `ses`). */
export interface NamedSink {
  readonly name: string;
  readonly sink: NotificationSink;
}

/** Which sinks took which message (ledger-client's NotificationRepository). */
export interface DeliveryLog {
  wasSent(messageKey: string, sink: string): Promise<boolean>;
  markSent(messageKey: string, sink: string, at: string): Promise<void>;
}

/** The key a message's deliveries are remembered by: its id, or its date and kind. */
export function messageKey(message: RenderedMessage): string {
  return message.id ?? `${message.date}#${message.kind}`;
}

/**
 * Every sink gets the message, except one that already took it: a failing sink fails only itself
 * (the others deliver and are remembered; the failure is logged with the run and strategy), and
 * the delivery then throws, so the invocation fails and EventBridge retries it (then dead-letters
 * it): the retry sends only through the sinks not yet remembered. A sink is remembered after it
 * accepted the message (the ALERT_STATE rule): a crash in between sends it again on the retry, at
 * least once, never lost; a delivery that cannot be remembered is logged and not failed, since
 * failing it would only send it twice.
 */
export function rememberedFanOut(
  sinks: readonly NamedSink[],
  deps: { readonly log: DeliveryLog; readonly clock: { now(): Date }; readonly logger: Logger },
): NotificationSink {
  return {
    deliver: async (message) => {
      const key = messageKey(message);
      const ids = { messageKey: key, ...message.about };
      const outcomes = await Promise.all(
        sinks.map(async ({ name, sink }): Promise<string | undefined> => {
          try {
            if (await deps.log.wasSent(key, name)) return undefined;
            await sink.deliver(message);
          } catch (e) {
            deps.logger.error(
              { event: 'notification-sink-failed', sink: name, ...ids, error: errorMessage(e) },
              `the ${name} sink failed to deliver ${key}`,
            );
            return `${name}: ${errorMessage(e)}`;
          }
          try {
            await deps.log.markSent(key, name, deps.clock.now().toISOString());
          } catch (e) {
            deps.logger.warn(
              { event: 'notification-not-remembered', sink: name, ...ids, error: errorMessage(e) },
              `${key} went through ${name} but is not remembered: a retry would send it again`,
            );
          }
          return undefined;
        }),
      );
      const failed = outcomes.filter((o): o is string => o !== undefined);
      if (failed.length > 0)
        throw new BooksError(
          'NOTIFICATION_NOT_DELIVERED',
          `${failed.length} of ${sinks.length} sink(s) failed to deliver ${key}`,
          { reasons: failed },
        );
    },
  };
}
