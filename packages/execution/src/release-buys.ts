import type { Logger, RunId, StrategyId, Symbol } from '@books/core';
import { planRebalance, quantitiesOf } from '@books/portfolio';
import { type ExecutionQueue, executionRequestFor } from '@books/queue';
import type { BuyRelease, ExecutionLedger, MarketQuotes, RunProgress } from './ports';

export interface BuyReleaseDeps {
  readonly runs: RunProgress;
  readonly ledger: ExecutionLedger;
  readonly market: MarketQuotes;
  readonly queue: ExecutionQueue;
  readonly logger: Logger;
}

/**
 * Releases a strategy's held BUYs once every SELL of its plan is final, sized from the book's
 * ACTUAL cash after those SELLs (fills, partial fills and rejections included) by the same
 * planning code as the worker, at current prices. Idempotent: concurrent or repeated releases
 * send messages with the same client order ids, and execution places one order per id.
 */
export class HeldBuyRelease implements BuyRelease {
  constructor(private readonly deps: BuyReleaseDeps) {}

  async releaseIfDue(runId: RunId, strategyId: StrategyId): Promise<void> {
    const state = await this.deps.runs.readStrategy(runId, strategyId);
    if (!state || state.pendingSells > 0 || state.buysReleased) return;
    const log = this.deps.logger.child({ runId, strategyId, event: 'buy-release' });
    const { book } = await this.deps.ledger.readBook(strategyId);
    const symbols = [...new Set<Symbol>([...quantitiesOf(book).keys(), ...state.weights.keys()])].sort();
    const [prices, assets] = await Promise.all([
      this.deps.market.prices(symbols),
      this.deps.market.assets([...state.weights.keys()]),
    ]);
    const plan = planRebalance({
      book,
      targets: state.weights,
      capital: state.capital,
      prices,
      assets,
      minNotional: state.minTradeNotional,
      ...(state.rebalanceThreshold ? { rebalanceThreshold: state.rebalanceThreshold } : {}),
    });
    const ctx = {
      runId,
      strategyId,
      file: state.file,
      allocation: state.allocation,
      strategyCapital: state.capital,
      plannedAt: state.plannedAt,
      ...(state.attribution ? { attribution: state.attribution } : {}),
    };
    await this.deps.queue.send(plan.buys.map((t) => executionRequestFor(t, ctx)));
    await this.deps.runs.markBuysReleased(runId, strategyId, plan.buys, plan.suppressed);
    log.info(
      { buys: plan.buys.length, suppressed: plan.suppressed.length, cash: book.cash.toString() },
      `released ${plan.buys.length} BUY(s) from cash ${book.cash}`,
    );
  }
}
