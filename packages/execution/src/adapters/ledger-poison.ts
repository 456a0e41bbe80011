import type { Clock } from '@books/core';
import { encodePoisonMessage, type LedgerTable } from '@books/ledger-client';
import type { PoisonMessages } from '../process-batch';

/** Malformed execution messages, kept for a human (`POISON` / `MSG#{messageId}`), never retried. */
export class LedgerPoisonMessages implements PoisonMessages {
  constructor(
    private readonly table: LedgerTable,
    private readonly clock: Clock,
  ) {}

  async record(messageId: string, body: string, problems: readonly string[]): Promise<void> {
    await this.table.putIfAbsent(
      encodePoisonMessage({ messageId, body, problems, receivedAt: this.clock.now().toISOString() }),
    );
  }
}
