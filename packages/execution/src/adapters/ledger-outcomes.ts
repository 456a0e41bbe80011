import { type Clock, LEGACY, StrategyId } from '@books/core';
import {
  type BookRepository,
  keys,
  type LedgerTable,
  loadBook,
  lotChangeItem,
  type OutboxRepository,
  type RunRepository,
  type TradeRepository,
  type TransactItem,
  TransactionConditionError,
} from '@books/ledger-client';
import type { LotChange } from '@books/portfolio';
import type { ExecutionLedger, TradeOutcome, VersionedBook } from '../ports';
import { tradeExecutedOf } from '../trade-event';
import { leaseReleaseItem } from './ledger-symbol-locks';

const OPEN_STATES = ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] as const;

/**
 * Records a trade's outcome in ONE transaction: its final intent state (only from an open state),
 * and when anything filled the trade item (only once per order), the lot changes, the book's cash
 * (only at the version read), and for a SELL the run's pending-SELL count. A crash before the
 * transaction leaves nothing; a crash after it leaves everything; a replay finds the intent final.
 * The legacy book's fills are recorded as legacy trades (`TRADE#{orderId}`, with the strategies'
 * attribution) and fold into the LEGACY book like any other book's. A fill's TradeExecuted event
 * goes to the run's outbox in the same transaction (after the trade item: its index must stay 1),
 * so a recorded fill always has its event waiting to be published. The writer's symbol lease, when
 * given, is released in the same transaction (its last item); a lease no longer the writer's
 * (expired and taken over) fails only that item, and the outcome is then written without it.
 */
export class LedgerExecutionLedger implements ExecutionLedger {
  constructor(
    private readonly table: LedgerTable,
    private readonly books: BookRepository,
    private readonly trades: TradeRepository,
    private readonly runs: RunRepository,
    private readonly clock: Clock,
    private readonly events?: { readonly stage: string; readonly outbox: OutboxRepository },
  ) {}

  async readBook(strategyId: StrategyId, fillIds: readonly string[] = []): Promise<VersionedBook> {
    const loaded = await loadBook(this.books, strategyId, fillIds);
    if (!loaded.exists || loaded.version === undefined) {
      throw new Error(`strategy ${strategyId} has no book: it must be funded before it trades`);
    }
    return { book: loaded.book, version: loaded.version };
  }

  async recordOutcome(outcome: TradeOutcome): Promise<'recorded' | 'already-recorded'> {
    const { intent } = outcome;
    const at = outcome.fill?.fill.at ?? this.clock.now().toISOString();
    const items: TransactItem[] = [this.finalIntentItem(outcome, at)];
    if (outcome.fill) {
      const { fill, application, bookVersion, strategyCapital } = outcome.fill;
      const trade = {
        orderId: fill.orderId,
        clientOrderId: intent.clientOrderId,
        symbol: fill.symbol,
        side: fill.side,
        filledQty: fill.qty,
        fillPrice: fill.price,
        fees: fill.fees,
        runId: intent.runId,
        submittedAt: fill.at,
        filledAt: fill.at,
      };
      const attribution = outcome.fill.attribution;
      items.push(
        intent.strategyId === LEGACY
          ? this.trades.legacyPutItem({
              ...trade,
              strategyNames: attribution?.names ?? [],
              strategyWeights: Object.entries(attribution?.weights ?? {}).map(([sid, weight]) => ({
                strategyId: StrategyId(sid),
                weight,
              })),
              ...(fill.side === 'sell' ? { realizedPnl: application.realizedPnl } : {}),
            })
          : this.trades.putItem({
              ...trade,
              strategyId: intent.strategyId,
              strategyName: intent.strategyId,
              strategyCapital,
            }),
        ...application.changes.map((c) => this.lotItem(intent.strategyId, c)),
        this.books.cashUpdateItem(
          {
            strategyId: intent.strategyId,
            cash: application.book.cash,
            realizedPnl: application.book.realizedPnl,
            updatedAt: fill.at,
          },
          bookVersion,
        ),
      );
    }
    if (intent.side === 'sell') items.push(this.runs.sellDoneItem(intent.runId, intent.strategyId, at));
    const event = this.events && tradeExecutedOf(this.events.stage, outcome);
    if (this.events && event)
      items.push(
        this.events.outbox.putItem({
          runId: intent.runId,
          eventId: event.id,
          eventType: event.type,
          eventJson: JSON.stringify(event),
          createdAt: at,
        }),
      );
    const lease = outcome.releaseLease && leaseReleaseItem(outcome.releaseLease);
    try {
      await this.table.transact(lease ? [...items, lease] : items);
      return 'recorded';
    } catch (e) {
      if (!(e instanceof TransactionConditionError)) throw e;
      // Item 0 is the intent, item 1 the trade: either failing means an earlier attempt recorded
      // this outcome. Any other failure (the cash version) is a ConcurrencyError to retry.
      const recorded = (index: number) => index === 0 || (outcome.fill !== undefined && index === 1);
      if (e.failures.some((f) => recorded(f.index))) return 'already-recorded';
      // Only the lease's condition failed: it is another order's now, and stays so; nothing was
      // written, and the outcome is written alone (its own conditions still apply).
      if (lease && e.failures.length > 0 && e.failures.every((f) => f.index === items.length)) {
        const { releaseLease: _lost, ...alone } = outcome;
        return this.recordOutcome(alone);
      }
      throw e;
    }
  }

  private finalIntentItem(outcome: TradeOutcome, at: string): TransactItem {
    const { intent } = outcome;
    const names: Record<string, string> = { '#state': 'state', '#updated': 'updated_at' };
    const values: Record<string, { S: string }> = {
      ':to': { S: outcome.finalState },
      ':at': { S: at },
      ...Object.fromEntries(OPEN_STATES.map((s, i) => [`:open${i}`, { S: s }])),
    };
    const sets = ['#state = :to', '#updated = :at'];
    if (outcome.reason !== undefined) {
      names['#reason'] = 'reason';
      values[':reason'] = { S: outcome.reason };
      sets.push('#reason = :reason');
    }
    return {
      kind: 'update',
      label: `intent ${intent.clientOrderId} → ${outcome.finalState}`,
      key: keys.intent(intent.runId, intent.clientOrderId),
      update: `SET ${sets.join(', ')}`,
      names,
      values,
      condition: { expression: `#state IN (${OPEN_STATES.map((_, i) => `:open${i}`).join(', ')})` },
    };
  }

  private lotItem(strategyId: StrategyId, change: LotChange): TransactItem {
    return lotChangeItem(this.books, strategyId, change);
  }
}
