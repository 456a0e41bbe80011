import { type ClientOrderId, clientOrderIdFor, type RunId, type StrategyId, Symbol } from '@books/core';
import { decodeRunStrategy, type Item, keys, type LedgerTable, toItem } from '@books/ledger-client';
import type { PlannedTrade, SuppressedTrade } from '@books/portfolio';
import { readStoredPlan, StoredPlanSchema } from '@books/runtime';
import { z } from 'zod';
import type { RecordedRelease, RunProgress, StrategyRunState } from '../ports';

/** The marker of a strategy's released BUYs: `RUN#{runId}` / `RELEASE#{sid}`. */
function releaseKey(runId: RunId, strategyId: StrategyId) {
  return { PK: keys.run(runId), SK: `RELEASE#${strategyId}` };
}

/** A released BUY as the marker keeps it (markers written before client order ids were kept derive them). */
const ReleasedTradeSchema = StoredPlanSchema.shape.buys.element.omit({ clientOrderId: true });

/** The BUY release of a strategy as recorded (before any of it is sent); undefined when not released. */
export async function readRelease(
  table: LedgerTable,
  runId: RunId,
  strategyId: StrategyId,
): Promise<RecordedRelease | undefined> {
  const item = await table.getItem(releaseKey(runId, strategyId));
  return item && decodeRelease(runId, strategyId, item);
}

function decodeRelease(runId: RunId, strategyId: StrategyId, item: Item): RecordedRelease {
  const json = item.released_json?.S;
  if (json === undefined) throw new Error(`release item ${item.PK?.S}/${item.SK?.S} has no released_json`);
  const buys = z
    .array(ReleasedTradeSchema)
    .parse(JSON.parse(json))
    .map((t) => ({
      ...t,
      clientOrderId: clientOrderIdFor({ runId, strategyId, symbol: t.symbol, side: t.side, leg: t.leg }),
    }));
  // Markers written before the send was marked apart were written after their BUYs were sent.
  const sent = item.sent_at?.S !== undefined || item.recorded_at?.S === undefined;
  return { buys, sent };
}

/** What the BUY release reads of a run: the strategy's pending SELLs, its plan, and the release marker. */
export class LedgerRunProgress implements RunProgress {
  constructor(private readonly table: LedgerTable) {}

  async readStrategy(runId: RunId, strategyId: StrategyId): Promise<StrategyRunState | undefined> {
    const [item, plan, release] = await Promise.all([
      this.table.getItem(keys.runStrategy(runId, strategyId)),
      readStoredPlan(this.table, runId, strategyId),
      readRelease(this.table, runId, strategyId),
    ]);
    if (!item || !plan) return undefined;
    const { pendingSells } = decodeRunStrategy(item);
    return {
      runId,
      strategyId,
      file: plan.file,
      allocation: plan.allocation,
      plannedAt: plan.plannedAt,
      weights: new Map(Object.entries(plan.weights).map(([s, w]) => [Symbol(s), w])),
      capital: plan.capital.capital,
      minTradeNotional: plan.minTradeNotional,
      ...(plan.rebalanceThreshold ? { rebalanceThreshold: plan.rebalanceThreshold } : {}),
      pendingSells,
      heldBuys: plan.sells.length > 0,
      buysReleased: plan.sells.length === 0 || release?.sent === true,
      ...(release ? { release } : {}),
      ...(plan.attribution ? { attribution: plan.attribution } : {}),
    };
  }

  /**
   * Records the release before anything of it is sent (so that execution finds every released BUY
   * in it), once: of concurrent releases the first record wins, and every caller gets that one.
   */
  async recordRelease(
    runId: RunId,
    strategyId: StrategyId,
    released: readonly (PlannedTrade & { readonly clientOrderId: ClientOrderId })[],
    suppressed: readonly SuppressedTrade[],
    at: string,
  ): Promise<RecordedRelease> {
    await this.table.putIfAbsent(
      toItem({
        ...releaseKey(runId, strategyId),
        entity: 'RUN_RELEASE',
        released_json: JSON.stringify(released),
        suppressed_json: JSON.stringify(suppressed),
        recorded_at: at,
      }),
    );
    const stored = await readRelease(this.table, runId, strategyId);
    if (!stored) throw new Error(`release of ${strategyId} in run ${runId} vanished after it was recorded`);
    return stored;
  }

  async markReleaseSent(runId: RunId, strategyId: StrategyId, at: string): Promise<void> {
    await this.table.update({
      kind: 'update',
      label: `release ${strategyId} sent`,
      key: releaseKey(runId, strategyId),
      update: 'SET #sent = if_not_exists(#sent, :at)',
      names: { '#sent': 'sent_at' },
      values: { ':at': { S: at } },
      condition: { expression: 'attribute_exists(PK)' },
    });
  }
}
