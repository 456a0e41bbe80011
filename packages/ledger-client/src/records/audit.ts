import type { StrategyId, Symbol } from '@books/core';
import { type Item, toItem } from '../attribute-codec';
import { keys } from '../keys';

/** A malformed execution message kept for a human (`POISON` / `MSG#{messageId}`), never retried. */
export function encodePoisonMessage(message: {
  readonly messageId: string;
  readonly body: string;
  readonly problems: readonly string[];
  readonly receivedAt: string;
}): Item {
  return toItem({
    ...keys.poisonMessage(message.messageId),
    entity: 'POISON_MESSAGE',
    message_id: message.messageId,
    body: message.body,
    problems: [...message.problems],
    received_at: message.receivedAt,
  });
}

/**
 * A projection repair of a strategy's stored book (`STRATEGY#{sid}#ADJUSTMENT` / `ADJ#{at}#{id}`):
 * the human's note and every change, for audit; never read back into the book.
 */
export function encodeAdjustmentAudit(audit: {
  readonly strategyId: StrategyId;
  readonly id: string;
  readonly kind: string;
  readonly note: string;
  readonly changes: readonly string[];
  readonly at: string;
}): Item {
  return toItem({
    ...keys.adjustment(audit.strategyId, audit.at, audit.id),
    entity: 'ADJUSTMENT',
    kind: audit.kind,
    adjustment_id: audit.id,
    strategy_id: audit.strategyId,
    reason: 'adjustment',
    note: audit.note,
    changes: [...audit.changes],
    at: audit.at,
  });
}

/** Seconds a lease item outlives its lease before DynamoDB's TTL may delete it. */
const LOCK_TTL_GRACE_SECONDS = 86_400;

/**
 * The lease of a symbol (`LOCK#SYMBOL#{symbol}` / `LOCK`): held by `owner` (a client order id)
 * until `leaseUntilMs`; `expiresAtEpochSeconds` (the table's TTL attribute) lets DynamoDB delete
 * it a day after the lease ran out.
 */
export function encodeSymbolLock(symbol: Symbol, owner: string, leaseUntilMs: number): Item {
  return toItem({
    ...keys.symbolLock(symbol),
    owner,
    lease_until: leaseUntilMs,
    expiresAtEpochSeconds: Math.ceil(leaseUntilMs / 1000) + LOCK_TTL_GRACE_SECONDS,
  });
}
