import { type RunId, type StrategyId, Symbol } from '@books/core';
import {
  decodeRunStrategy,
  encodeRelease,
  keys,
  type LedgerTable,
  readStoredPlan,
} from '@books/ledger-client';
import type { PlannedTrade, SuppressedTrade } from '@books/portfolio';
import type { RunProgress, StrategyRunState } from '../ports';

/** What the BUY release reads of a run: the strategy's pending SELLs, its plan, and the release marker. */
export class LedgerRunProgress implements RunProgress {
  constructor(private readonly table: LedgerTable) {}

  async readStrategy(runId: RunId, strategyId: StrategyId): Promise<StrategyRunState | undefined> {
    const [item, plan, released] = await Promise.all([
      this.table.getItem(keys.runStrategy(runId, strategyId)),
      readStoredPlan(this.table, runId, strategyId),
      this.table.getItem(keys.release(runId, strategyId)),
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
      buysReleased: released !== undefined || plan.sells.length === 0,
      ...(plan.attribution ? { attribution: plan.attribution } : {}),
    };
  }

  async markBuysReleased(
    runId: RunId,
    strategyId: StrategyId,
    released: readonly PlannedTrade[],
    suppressed: readonly SuppressedTrade[],
  ): Promise<void> {
    await this.table.putIfAbsent(encodeRelease(runId, strategyId, { released, suppressed }));
  }
}
