import type { ClientOrderId, RunId, StrategyId } from '@books/core';
import type { LedgerTable, StoredPlan } from '@books/ledger-client';
import type { PlannedTradeRecord } from '../planned-trade';
import type { PlannedTrades } from '../ports';
import { readRelease } from './ledger-run-progress';
import { readPlan } from './stored-plans';

/**
 * The planned trades of a run as its ledger records them: the strategy's stored plan
 * (`PLAN#{sid}`) and, for a plan with SELLs, its recorded BUY release (`RELEASE#{sid}`). Both are
 * written once (conditional puts) before any of their trades is sent, and never changed.
 */
export class LedgerPlannedTrades implements PlannedTrades {
  /** `found`: the plans a batch view read, by run and strategy (see forBatch). */
  constructor(
    private readonly table: LedgerTable,
    private readonly found?: Map<string, StoredPlan>,
  ) {}

  forBatch(): PlannedTrades {
    return new LedgerPlannedTrades(this.table, new Map());
  }

  private async plan(runId: RunId, strategyId: StrategyId): Promise<StoredPlan | undefined> {
    const key = `${runId}\u0000${strategyId}`;
    const known = this.found?.get(key);
    if (known) return known;
    const plan = await readPlan(this.table, runId, strategyId);
    if (plan) this.found?.set(key, plan);
    return plan;
  }

  async find(
    runId: RunId,
    strategyId: StrategyId,
    clientOrderId: ClientOrderId,
  ): Promise<PlannedTradeRecord | undefined> {
    const plan = await this.plan(runId, strategyId);
    if (!plan || plan.runId !== runId || plan.strategyId !== strategyId) return undefined;
    const context = (symbol: string) => ({
      capital: plan.capital.capital,
      allocation: plan.allocation,
      file: plan.file,
      plannedAt: plan.plannedAt,
      shares: plan.attribution?.[symbol] ?? {},
    });
    const found = (t: Parameters<typeof tradeOf>[2], source: PlannedTradeRecord['source']) => ({
      ...tradeOf(runId, strategyId, t),
      source,
      plan: context(t.symbol),
      stored: plan,
    });
    const sell = plan.sells.find((t) => t.clientOrderId === clientOrderId);
    if (sell) return found(sell, 'plan');
    if (plan.sells.length === 0) {
      const buy = plan.buys.find((t) => t.clientOrderId === clientOrderId);
      return buy && found(buy, 'plan');
    }
    const release = await readRelease(this.table, runId, strategyId);
    const released = release?.buys.find((t) => t.clientOrderId === clientOrderId);
    return released && found(released, 'release');
  }
}

function tradeOf(
  runId: RunId,
  strategyId: StrategyId,
  t: Pick<PlannedTradeRecord, 'clientOrderId' | 'symbol' | 'side' | 'leg' | 'qty' | 'targetValue'>,
) {
  return {
    runId,
    strategyId,
    clientOrderId: t.clientOrderId,
    symbol: t.symbol,
    side: t.side,
    leg: t.leg,
    qty: t.qty,
    targetValue: t.targetValue,
  };
}
