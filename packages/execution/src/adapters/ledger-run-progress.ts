import { type ClientOrderId, type RunId, type StrategyId, Symbol } from '@books/core';
import {
  decodeRecordedRelease,
  decodeRunStrategy,
  encodeRecordedRelease,
  keys,
  type LedgerTable,
  type RecordedRelease,
  releaseSentUpdate,
  type StoredPlan,
} from '@books/ledger-client';
import type { PlannedTrade, SuppressedTrade } from '@books/portfolio';
import type { RunProgress, StrategyRunState } from '../ports';
import { readPlan } from './stored-plans';

/** The BUY release of a strategy as recorded (before any of it is sent); undefined when not released. */
export async function readRelease(
  table: LedgerTable,
  runId: RunId,
  strategyId: StrategyId,
): Promise<RecordedRelease | undefined> {
  const item = await table.getItem(keys.release(runId, strategyId));
  return item && decodeRecordedRelease(runId, strategyId, item);
}

/** What the BUY release reads of a run: the strategy's pending SELLs, its plan, and the release marker. */
export class LedgerRunProgress implements RunProgress {
  constructor(private readonly table: LedgerTable) {}

  /**
   * The plan is read first: a plan without SELLs holds no BUYs back, so its strategy's item (written
   * in the plan's own transaction with no pending SELL) and its release (never recorded for such a
   * plan) are not read. A plan the caller holds is not read again: it is written once, before any
   * of its trades is sent, and never changed.
   */
  async readStrategy(
    runId: RunId,
    strategyId: StrategyId,
    known?: StoredPlan,
  ): Promise<StrategyRunState | undefined> {
    const plan =
      known && known.runId === runId && known.strategyId === strategyId
        ? known
        : await readPlan(this.table, runId, strategyId);
    if (!plan) return undefined;
    const [item, release] =
      plan.sells.length === 0
        ? [undefined, undefined]
        : await Promise.all([
            this.table.getItem(keys.runStrategy(runId, strategyId)),
            readRelease(this.table, runId, strategyId),
          ]);
    if (plan.sells.length > 0 && !item) return undefined;
    const pendingSells = item ? decodeRunStrategy(item).pendingSells : 0;
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
    await this.table.putIfAbsent(encodeRecordedRelease(runId, strategyId, { released, suppressed }, at));
    const stored = await readRelease(this.table, runId, strategyId);
    if (!stored) throw new Error(`release of ${strategyId} in run ${runId} vanished after it was recorded`);
    return stored;
  }

  async markReleaseSent(runId: RunId, strategyId: StrategyId, at: string): Promise<void> {
    await this.table.update(releaseSentUpdate(runId, strategyId, at));
  }
}
