import { clientOrderIdFor, FINAL_STATES, type RunId, StrategyId } from '@books/core';
import {
  decodeIntentProgress,
  decodePlanItem,
  decodeRelease,
  decodeRunMeta,
  decodeRunStrategyProgress,
  encodeReconcileRequested,
  type Item,
  keys,
  type LedgerTable,
  RECONCILE_REQUESTED,
  RUN_META,
  SK_PREFIX,
  TransactionConditionError,
} from '@books/ledger-client';
import type { RunCompletionStore, RunSnapshot } from '../run-completion';

const FINAL = new Set<string>(FINAL_STATES);

/** Plans remembered by their stored text (a pure decode), at most this many. */
const PLAN_MEMO_SIZE = 512;

interface PlanOrders {
  readonly strategyId: StrategyId;
  readonly sells: readonly string[];
  readonly buys: readonly string[];
}

/**
 * A run's completion on the ledger, strongly consistent, decoded only as far as needed (intents
 * and strategies by their progress fields alone: decodeIntentProgress, decodeRunStrategyProgress).
 * A run's completion is asked after each of its orders, and most runs asked are not complete or
 * already requested: the META item, the marker and the intents are read first (not the plans,
 * traces, strategies and releases), and a run with an open intent, an existing marker or not yet
 * DISPATCHED is answered from them. Only a run that may be complete is then read whole (one query
 * of its partition, which decides as before). Each plan's orders are remembered by the plan's
 * stored text (the same text always decodes to the same orders): a plan is parsed once, not once
 * per order of the run.
 */
export class LedgerRunCompletionStore implements RunCompletionStore {
  private readonly planOrders = new Map<string, PlanOrders>();

  constructor(private readonly table: LedgerTable) {}

  private ordersOf(item: Item): PlanOrders {
    const text = item.plan_json?.S;
    const known = text === undefined ? undefined : this.planOrders.get(text);
    if (known) return known;
    const plan = decodePlanItem(item);
    const orders = {
      strategyId: plan.strategyId,
      sells: plan.sells.map((t) => t.clientOrderId),
      buys: plan.buys.map((t) => t.clientOrderId),
    };
    if (text !== undefined) {
      if (this.planOrders.size >= PLAN_MEMO_SIZE) this.planOrders.clear();
      this.planOrders.set(text, orders);
    }
    return orders;
  }

  async snapshot(runId: RunId): Promise<RunSnapshot | undefined> {
    const [metaItem, marker, intentItems] = await Promise.all([
      this.table.getItem(keys.runMeta(runId)),
      this.table.getItem(keys.reconcileRequested(runId)),
      this.table.queryAll({
        partition: keys.run(runId),
        sort: { beginsWith: SK_PREFIX.intent },
        consistent: true,
      }),
    ]);
    if (!metaItem) return undefined;
    const meta = decodeRunMeta(metaItem);
    const intents = intentItems.map(decodeIntentProgress);
    if (marker === undefined && meta.status === 'DISPATCHED' && intents.every((i) => FINAL.has(i.state)))
      return this.whole(runId);
    return {
      runId,
      tradingDate: meta.tradingDate,
      status: meta.status,
      reconcileRequested: marker !== undefined,
      intents,
      strategies: [],
      plans: new Map(),
      releases: new Map(),
    };
  }

  /** The run's whole partition, in one query: what decides a run that may be complete. */
  private async whole(runId: RunId): Promise<RunSnapshot | undefined> {
    const items = await this.table.queryAll({ partition: keys.run(runId), consistent: true });
    const bySk = (prefix: string) => items.filter((i) => (i.SK?.S ?? '').startsWith(prefix));
    const metaItem = items.find((i) => i.SK?.S === RUN_META);
    if (!metaItem) return undefined;
    const meta = decodeRunMeta(metaItem);
    const base = {
      runId,
      tradingDate: meta.tradingDate,
      status: meta.status,
      reconcileRequested: items.some((i) => i.SK?.S === RECONCILE_REQUESTED),
    };
    const intents = bySk(SK_PREFIX.intent).map(decodeIntentProgress);
    const empty = { strategies: [], plans: new Map(), releases: new Map() };
    if (base.reconcileRequested || meta.status !== 'DISPATCHED') return { ...base, ...empty, intents };
    if (intents.some((i) => !FINAL.has(i.state))) return { ...base, ...empty, intents };
    return {
      ...base,
      intents,
      strategies: bySk(SK_PREFIX.runStrategy).map(decodeRunStrategyProgress),
      plans: new Map(
        bySk(SK_PREFIX.plan).map((item) => {
          const { strategyId, sells, buys } = this.ordersOf(item);
          return [strategyId, { sells, buys }];
        }),
      ),
      releases: new Map(
        bySk(SK_PREFIX.release).map((item) => {
          const strategyId = StrategyId((item.SK?.S ?? '').slice(SK_PREFIX.release.length));
          return [strategyId, releasedIds(runId, strategyId, item)];
        }),
      ),
    };
  }

  async markReconcileRequested(runId: RunId, at: string): Promise<boolean> {
    return this.table.putIfAbsent(encodeReconcileRequested(runId, at));
  }

  async clearReconcileRequested(runId: RunId, at: string): Promise<void> {
    try {
      await this.table.transact([
        {
          kind: 'delete',
          label: `run ${runId} reconciliation marker`,
          key: keys.reconcileRequested(runId),
          condition: {
            expression: '#at = :at',
            names: { '#at': 'requested_at' },
            values: { ':at': { S: at } },
          },
        },
      ]);
    } catch (e) {
      // Not ours any more (or gone): whoever holds it now is responsible for its request.
      if (!(e instanceof TransactionConditionError)) throw e;
    }
  }
}

function releasedIds(runId: RunId, strategyId: StrategyId, item: Item): string[] {
  return decodeRelease(item).released.map((t) =>
    clientOrderIdFor({ runId, strategyId, symbol: t.symbol, side: t.side, leg: t.leg }),
  );
}
