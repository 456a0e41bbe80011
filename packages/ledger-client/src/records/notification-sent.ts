import { lazySchema } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * One message delivered through one sink (`NOTIFY#{messageKey}` / `SINK#{sink}`): the notifier
 * skips a sink that already has it, so a redelivered event (EventBridge's retry of a failed
 * invocation) re-sends only to the sinks that failed. `expiresAtEpochSeconds` lets DynamoDB's TTL
 * remove it once no retry can come.
 */
export interface NotificationSent {
  /** The message's identity: the same for every delivery of the same message (e.g. `digest#{runId}`). */
  readonly messageKey: string;
  /** The sink's name (`sns`, `webhook`, `ses`). */
  readonly sink: string;
  readonly sentAt: string;
  readonly expiresAtEpochSeconds: number;
}

const NotificationSentSchema = lazySchema(() =>
  z.object({
    message_key: z.string().min(1),
    sink: z.string().min(1),
    sent_at: field.instant,
    expiresAtEpochSeconds: field.count,
  }),
);

export function encodeNotificationSent(sent: NotificationSent): Item {
  return toItem({
    ...keys.notificationSent(sent.messageKey, sent.sink),
    entity: 'NOTIFICATION_SENT',
    message_key: sent.messageKey,
    sink: sent.sink,
    sent_at: sent.sentAt,
    expiresAtEpochSeconds: sent.expiresAtEpochSeconds,
  });
}

export function decodeNotificationSent(item: Item): NotificationSent {
  const d = decodeItem(NotificationSentSchema(), item, 'notification sent');
  return {
    messageKey: d.message_key,
    sink: d.sink,
    sentAt: d.sent_at,
    expiresAtEpochSeconds: d.expiresAtEpochSeconds,
  };
}
