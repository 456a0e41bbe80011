import type { StrategyId } from '@books/core';
import type { OrderIntent } from './records/intent';
import type { LegacyTrade } from './records/legacy-trade';
import type { StrategyTrade } from './records/trade';

/** An order intent as a report shows it: decimals as strings. */
export interface IntentSummary {
  readonly side: string;
  readonly symbol: string;
  readonly qty: string;
  readonly state: string;
  readonly reason?: string;
}

/** A recorded fill as a report shows it: decimals as strings. */
export interface FillSummary {
  readonly side: string;
  readonly symbol: string;
  readonly qty: string;
  readonly price: string;
}

/** The run's intents of one strategy, as the day report and the digest list its trades. */
export function intentSummaries(intents: readonly OrderIntent[], strategyId: StrategyId): IntentSummary[] {
  return intents
    .filter((i) => i.strategyId === strategyId)
    .map((i) => ({
      side: i.side,
      symbol: i.symbol,
      qty: i.qty.toString(),
      state: i.state,
      ...(i.reason ? { reason: i.reason } : {}),
    }));
}

export function fillSummary(fill: StrategyTrade | LegacyTrade): FillSummary {
  return {
    side: fill.side,
    symbol: fill.symbol,
    qty: fill.filledQty.toString(),
    price: fill.fillPrice.toString(),
  };
}
