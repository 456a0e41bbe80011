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
 * A run's completion is asked after each of its orders: its META item, its marker and its intents
 * are read first, and a run with an open intent, an existing marker or not yet DISPATCHED is
 * answered from them; only then are its strategies, plans and releases read (never its traces).
 * Each plan's orders are remembered by the plan's stored text (the same text always decodes to the
 * same orders): a plan is parsed once, not once per order of the run.
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
      this.items(runId, SK_PREFIX.intent),
    ]);
    if (!metaItem) return undefined;
    const meta = decodeRunMeta(metaItem);
    const base = {
      runId,
      tradingDate: meta.tradingDate,
      status: meta.status,
      reconcileRequested: marker !== undefined,
      intents: intentItems.map(decodeIntentProgress),
    };
    const empty = { strategies: [], plans: new Map(), releases: new Map() };
    if (base.reconcileRequested || meta.status !== 'DISPATCHED') return { ...base, ...empty };
    if (base.intents.some((i) => !FINAL.has(i.state))) return { ...base, ...empty };
    // The intents read are final, and stay final: the orders read after them (plans and releases
    // only grow) decide. An order claimed meanwhile is one whose intent was not read: not complete.
    const [strategies, plans, releases] = await Promise.all([
      this.items(runId, SK_PREFIX.runStrategy),
      this.items(runId, SK_PREFIX.plan),
      this.items(runId, SK_PREFIX.release),
    ]);
    return {
      ...base,
      strategies: strategies.map(decodeRunStrategyProgress),
      plans: new Map(
        plans.map((item) => {
          const { strategyId, sells, buys } = this.ordersOf(item);
          return [strategyId, { sells, buys }];
        }),
      ),
      releases: new Map(
        releases.map((item) => {
          const strategyId = StrategyId((item.SK?.S ?? '').slice(SK_PREFIX.release.length));
          return [strategyId, releasedIds(runId, strategyId, item)];
        }),
      ),
    };
  }

  /** The run's items of one kind (sort key prefix), strongly consistent. */
  private items(runId: RunId, prefix: string): Promise<Item[]> {
    return this.table.queryAll({
      partition: keys.run(runId),
      sort: { beginsWith: prefix },
      consistent: true,
    });
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
