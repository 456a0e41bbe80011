import type { ClientOrderId, RunId } from '@books/core';
import type { Item } from '../attribute-codec';
import { ConditionFailedError, TransactionConditionError, TransactionConflictError } from '../errors';
import { canonicalInstant } from '../instant';
import { keys, SK_PREFIX } from '../keys';
import { ABSENT, type LedgerTable, type TransactItem } from '../ledger-table';
import { decodeIntent, encodeIntent, type OrderIntent } from '../records/intent';
import { StatusSchema } from '../records/run';
import { type StrategyRunStatus, StrategyRunStatusSchema } from '../records/run-status';
import { StatusConflictError } from './run-repository';

const CLAIM_ATTEMPTS = 5;

export interface IntentTransition {
  readonly from: string;
  readonly to: string;
  readonly at: string;
  readonly brokerOrderId?: string;
  readonly reason?: string;
}

/**
 * Order intents (`RUN#{runId}` / `INTENT#{clientOrderId}`). The state machine belongs to the
 * execution package: this repository takes `from`/`to` and conditions every write on `from`.
 */
export class IntentRepository {
  constructor(private readonly table: LedgerTable) {}

  /** Records the intent unless its client order id is already recorded; returns whether it wrote. */
  create(intent: OrderIntent): Promise<boolean> {
    return this.table.putIfAbsent(encodeIntent(intent));
  }

  /**
   * Records the intent only while its strategy's item of the run is in one of `statuses` (the
   * trade was planned by that run): `created`, `exists` (its client order id is already recorded)
   * or `unplanned` (no such run, strategy, or status: nothing is written).
   */
  async createIfPlanned(
    intent: OrderIntent,
    statuses: readonly StrategyRunStatus[],
  ): Promise<'created' | 'exists' | 'unplanned'> {
    const values = Object.fromEntries(
      statuses.map((s, i) => [`:s${i}`, { S: StrategyRunStatusSchema.parse(s) }]),
    );
    const items: TransactItem[] = [
      this.createItem(intent),
      {
        kind: 'check',
        label: `run ${intent.runId} strategy ${intent.strategyId} (planned)`,
        key: keys.runStrategy(intent.runId, intent.strategyId),
        condition: {
          expression: `#status IN (${Object.keys(values).join(', ')})`,
          names: { '#status': 'status' },
          values,
        },
      },
    ];
    // Two deliveries of one message claim at once: the loser's transaction is cancelled as a
    // conflict (not a failed condition); it then finds the winner's intent, or tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.table.transact(items);
        return 'created';
      } catch (e) {
        if (e instanceof TransactionConditionError) {
          if (e.failures.some((f) => f.index === 0)) return 'exists';
          return 'unplanned';
        }
        if (!(e instanceof TransactionConflictError) || attempt >= CLAIM_ATTEMPTS) throw e;
        if (await this.get(intent.runId, intent.clientOrderId)) return 'exists';
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  createItem(intent: OrderIntent): TransactItem {
    return {
      kind: 'put',
      label: `intent ${intent.clientOrderId}`,
      item: encodeIntent(intent),
      condition: ABSENT,
    };
  }

  async get(runId: RunId, clientOrderId: ClientOrderId): Promise<OrderIntent | undefined> {
    const item = await this.table.getItem(keys.intent(runId, clientOrderId));
    return item && decodeIntent(item);
  }

  async listForRun(runId: RunId): Promise<OrderIntent[]> {
    const items = await this.table.queryAll({
      partition: keys.run(runId),
      sort: { beginsWith: SK_PREFIX.intent },
      consistent: true,
    });
    return items.map(decodeIntent);
  }

  /** Moves the intent from `from` to `to`; StatusConflictError (with the actual state) otherwise. */
  async transition(runId: RunId, clientOrderId: ClientOrderId, t: IntentTransition): Promise<OrderIntent> {
    return decodeIntent(await this.write(runId, clientOrderId, t));
  }

  /** `transition` for a caller that needs only that the intent moved: the item is not decoded. */
  async move(runId: RunId, clientOrderId: ClientOrderId, t: IntentTransition): Promise<void> {
    await this.write(runId, clientOrderId, t);
  }

  private async write(runId: RunId, clientOrderId: ClientOrderId, t: IntentTransition): Promise<Item> {
    try {
      return await this.table.update(this.transitionItem(runId, clientOrderId, t));
    } catch (e) {
      if (!(e instanceof ConditionFailedError)) throw e;
      const actual = e.current?.state;
      throw new StatusConflictError(
        `intent ${clientOrderId}`,
        t.from,
        typeof actual === 'string' ? actual : undefined,
        {
          cause: e,
        },
      );
    }
  }

  transitionItem(
    runId: RunId,
    clientOrderId: ClientOrderId,
    t: IntentTransition,
  ): Extract<TransactItem, { kind: 'update' }> {
    const names: Record<string, string> = { '#state': 'state', '#updated': 'updated_at' };
    const values: Record<string, { S: string }> = {
      ':from': { S: StatusSchema.parse(t.from) },
      ':to': { S: StatusSchema.parse(t.to) },
      ':at': { S: canonicalInstant(t.at) },
    };
    const sets = ['#state = :to', '#updated = :at'];
    if (t.brokerOrderId !== undefined) {
      names['#broker'] = 'broker_order_id';
      values[':broker'] = { S: t.brokerOrderId };
      sets.push('#broker = :broker');
    }
    if (t.reason !== undefined) {
      names['#reason'] = 'reason';
      values[':reason'] = { S: t.reason };
      sets.push('#reason = :reason');
    }
    return {
      kind: 'update',
      label: `intent ${clientOrderId} ${t.from} → ${t.to}`,
      key: keys.intent(runId, clientOrderId),
      update: `SET ${sets.join(', ')}`,
      names,
      values,
      condition: { expression: '#state = :from' },
    };
  }
}
