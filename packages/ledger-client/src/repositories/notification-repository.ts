import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import type { LedgerTable } from '../ledger-table';
import { encodeNotificationSent } from '../records/notification-sent';

/** How long a delivery is remembered: longer than EventBridge retries an event (a day). */
const SENT_TTL_SECONDS = 7 * 86_400;

/** Which sinks a message was delivered through (`NOTIFY#{messageKey}` / `SINK#{sink}`). */
export class NotificationRepository {
  constructor(private readonly table: LedgerTable) {}

  /** Whether the message went through the sink already (strongly consistent). */
  async wasSent(messageKey: string, sink: string): Promise<boolean> {
    return (
      (await this.table.getItem(keys.notificationSent(messageKey, sink), { consistent: true })) !== undefined
    );
  }

  /** Records the delivery; a second record of it (a concurrent delivery) keeps the first. */
  async markSent(messageKey: string, sink: string, at: string): Promise<void> {
    const sentAt = canonicalInstant(at);
    await this.table.putIfAbsent(
      encodeNotificationSent({
        messageKey,
        sink,
        sentAt,
        expiresAtEpochSeconds: Math.ceil(Date.parse(sentAt) / 1000) + SENT_TTL_SECONDS,
      }),
    );
  }
}
