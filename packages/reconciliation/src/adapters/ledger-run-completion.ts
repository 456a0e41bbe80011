import {
  clientOrderIdFor,
  FINAL_STATES,
  type RunId,
  SideSchema,
  StrategyId,
  SymbolSchema,
} from '@books/core';
import {
  decodeIntent,
  decodeRunMeta,
  decodeRunStrategy,
  type Item,
  keys,
  type LedgerTable,
  SK_PREFIX,
  TransactionConditionError,
  toItem,
} from '@books/ledger-client';
import { decodePlanItem } from '@books/runtime';
import { z } from 'zod';
import type { RunCompletionStore, RunSnapshot } from '../run-completion';

/** The run's reconciliation marker: `RUN#{runId}` / `RECONCILE_REQUESTED`. */
const MARKER_SK = 'RECONCILE_REQUESTED';
const FINAL = new Set<string>(FINAL_STATES);
const PLAN_PREFIX = 'PLAN#';
const RELEASE_PREFIX = 'RELEASE#';

/**
 * The BUY release marker's `released_json`: the trades sent (portfolio's PlannedTrade), whose
 * client order ids are derived as the release derived them.
 */
const ReleasedSchema = z.array(
  z.looseObject({ symbol: SymbolSchema, side: SideSchema, leg: z.number().int() }),
);

/**
 * A run's completion on the ledger: one strongly consistent query of the run's partition (META,
 * strategies, plans, releases, intents and the marker), decoded only as far as needed — a run
 * with an open intent or an existing marker is answered before any plan is parsed.
 */
export class LedgerRunCompletionStore implements RunCompletionStore {
  constructor(private readonly table: LedgerTable) {}

  async snapshot(runId: RunId): Promise<RunSnapshot | undefined> {
    const items = await this.table.queryAll({ partition: keys.run(runId), consistent: true });
    const bySk = (prefix: string) => items.filter((i) => (i.SK?.S ?? '').startsWith(prefix));
    const metaItem = items.find((i) => i.SK?.S === 'META');
    if (!metaItem) return undefined;
    const meta = decodeRunMeta(metaItem);
    const base = {
      runId,
      tradingDate: meta.tradingDate,
      status: meta.status,
      reconcileRequested: items.some((i) => i.SK?.S === MARKER_SK),
    };
    const intents = bySk(SK_PREFIX.intent).map(decodeIntent);
    const empty = { strategies: [], plans: new Map(), releases: new Map() };
    if (base.reconcileRequested || meta.status !== 'DISPATCHED') return { ...base, ...empty, intents };
    if (intents.some((i) => !FINAL.has(i.state))) return { ...base, ...empty, intents };
    return {
      ...base,
      intents,
      strategies: bySk(SK_PREFIX.runStrategy).map(decodeRunStrategy),
      plans: new Map(
        bySk(PLAN_PREFIX).map((item) => {
          const plan = decodePlanItem(item);
          return [
            plan.strategyId,
            { sells: plan.sells.map((t) => t.clientOrderId), buys: plan.buys.map((t) => t.clientOrderId) },
          ];
        }),
      ),
      releases: new Map(
        bySk(RELEASE_PREFIX).map((item) => {
          const strategyId = StrategyId((item.SK?.S ?? '').slice(RELEASE_PREFIX.length));
          return [strategyId, releasedIds(runId, strategyId, item)];
        }),
      ),
    };
  }

  async markReconcileRequested(runId: RunId, at: string): Promise<boolean> {
    return this.table.putIfAbsent(
      toItem({ PK: keys.run(runId), SK: MARKER_SK, entity: 'RUN_RECONCILE_REQUESTED', requested_at: at }),
    );
  }

  async clearReconcileRequested(runId: RunId, at: string): Promise<void> {
    try {
      await this.table.transact([
        {
          kind: 'delete',
          label: `run ${runId} reconciliation marker`,
          key: { PK: keys.run(runId), SK: MARKER_SK },
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
  const json = item.released_json?.S;
  if (json === undefined) throw new Error(`release item ${item.SK?.S} has no released_json`);
  return ReleasedSchema.parse(JSON.parse(json)).map((t) =>
    clientOrderIdFor({ runId, strategyId, symbol: t.symbol, side: t.side, leg: t.leg }),
  );
}
