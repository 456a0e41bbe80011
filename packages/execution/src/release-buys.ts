import {
  type ClientOrderId,
  type Clock,
  clientOrderIdFor,
  type Logger,
  Money,
  type RunId,
  type StrategyId,
  type Symbol,
} from '@books/core';
import type { StoredPlan } from '@books/ledger-client';
import {
  DEFAULT_MIN_NOTIONAL,
  fitBuysToCash,
  type PlannedTrade,
  planRebalance,
  quantitiesOf,
  type SuppressedTrade,
} from '@books/portfolio';
import { type ExecutionQueue, executionRequestFor } from '@books/queue';
import type {
  BuyRelease,
  ExecutionLedger,
  MarketQuotes,
  RecordedRelease,
  RunProgress,
  StrategyRunState,
} from './ports';

export interface BuyReleaseDeps {
  readonly runs: RunProgress;
  readonly ledger: ExecutionLedger;
  readonly market: MarketQuotes;
  readonly queue: ExecutionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Releases a strategy's held BUYs once every SELL of its plan is final, sized from the book's
 * ACTUAL cash after those SELLs (fills, partial fills and rejections included) by the same
 * planning code as the worker, at current prices.
 *
 * Contract:
 * - Σ released BUYs ≤ the book's cash at release, at release prices: a SELL planned again (one
 *   that was rejected or filled in part) raises no money until it is executed, so its proceeds
 *   are never spent.
 * - The release is recorded before any of it is sent: it is the plan of those BUYs, and execution
 *   places a BUY only when the recorded release holds it. Of concurrent releases the first record
 *   wins and every caller sends that one; a release recorded but not sent (a crash between) is
 *   sent by the next call. Execution places one order per client order id, so a re-send is harmless.
 */
export class HeldBuyRelease implements BuyRelease {
  constructor(private readonly deps: BuyReleaseDeps) {}

  async releaseIfDue(runId: RunId, strategyId: StrategyId, plan?: StoredPlan): Promise<void> {
    const state = await this.deps.runs.readStrategy(runId, strategyId, plan);
    if (!state?.heldBuys || state.pendingSells > 0 || state.release?.sent) return;
    const log = this.deps.logger.child({ runId, strategyId, event: 'buy-release' });
    const release = state.release ?? (await this.record(state, log));
    const ctx = {
      runId,
      strategyId,
      file: state.file,
      allocation: state.allocation,
      strategyCapital: state.capital,
      plannedAt: state.plannedAt,
      ...(state.attribution ? { attribution: state.attribution } : {}),
    };
    await this.deps.queue.send(release.buys.map((t) => executionRequestFor(t, ctx)));
    await this.deps.runs.markReleaseSent(runId, strategyId, this.deps.clock.now().toISOString());
    log.info({ buys: release.buys.length }, `sent ${release.buys.length} released BUY(s)`);
  }

  private async record(state: StrategyRunState, log: Logger): Promise<RecordedRelease> {
    const { runId, strategyId } = state;
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
    const { buys, suppressed } = buysWithinCash(plan.buys, book.cash, state.minTradeNotional, assets);
    const released = buys.map((t) => ({ ...t, clientOrderId: releasedId(runId, strategyId, t) }));
    const recorded = await this.deps.runs.recordRelease(
      runId,
      strategyId,
      released,
      [...plan.suppressed, ...suppressed],
      this.deps.clock.now().toISOString(),
    );
    log.info(
      {
        buys: recorded.buys.length,
        suppressed: plan.suppressed.length + suppressed.length,
        cash: book.cash.toString(),
      },
      `released ${recorded.buys.length} BUY(s) from cash ${book.cash}`,
    );
    return recorded;
  }
}

function releasedId(runId: RunId, strategyId: StrategyId, t: PlannedTrade): ClientOrderId {
  return clientOrderIdFor({ runId, strategyId, symbol: t.symbol, side: t.side, leg: t.leg });
}

/**
 * The planned BUYs cut to what the book's cash alone pays (planning counts the proceeds of SELLs
 * it plans, which at release are not executed); a negative cash pays nothing.
 */
export function buysWithinCash(
  buys: readonly PlannedTrade[],
  cash: Money,
  minNotional: Money = DEFAULT_MIN_NOTIONAL,
  assets: Parameters<typeof fitBuysToCash>[3] = new Map(),
): { buys: PlannedTrade[]; suppressed: SuppressedTrade[] } {
  const suppressed: SuppressedTrade[] = [];
  const fitted = fitBuysToCash(buys, cash.max(Money.ZERO), minNotional, assets, suppressed);
  return { buys: fitted, suppressed };
}
