import { Money, Quantity, type StrategyId, Symbol } from '@books/core';
import type { LegacySignals, LegacyTrade } from '@books/ledger-client';
import { carveShares } from './carve';

/** One symbol of the legacy book, valued (the caller's marks). */
export interface LegacyPosition {
  readonly symbol: string;
  readonly qty: Quantity;
  readonly marketValue: Money;
  readonly unrealizedPnl: Money;
}

/**
 * A merged-flow strategy's P&L, ATTRIBUTED: the legacy book is one book, and these are its
 * strategies' shares of it, not books of their own. Realized: Σ over the legacy SELLs of the
 * trade's realized P&L × the strategy's `strategy_weights` share. Positions and unrealized: its
 * carve-out share of each legacy position (its contribution fraction in the latest legacy run).
 */
export interface AttributedPnl {
  readonly strategyId: StrategyId;
  readonly attributed: true;
  readonly positions: readonly {
    readonly symbol: string;
    readonly qty: Quantity;
    readonly marketValue: Money;
    readonly unrealizedPnl: Money;
  }[];
  readonly marketValue: Money;
  readonly realizedPnl: Money;
  readonly unrealizedPnl: Money;
}

export function attributedPnl(input: {
  readonly strategyIds: readonly StrategyId[];
  readonly trades: readonly LegacyTrade[];
  readonly signals: LegacySignals | undefined;
  readonly legacy: readonly LegacyPosition[];
}): AttributedPnl[] {
  return input.strategyIds.map((sid) => {
    let realized = Money.ZERO;
    for (const t of input.trades) {
      const share = t.strategyWeights.find((w) => w.strategyId === sid)?.weight;
      if (share && t.realizedPnl) realized = realized.plus(t.realizedPnl.times(share.value));
    }
    const shares = input.signals ? carveShares(input.signals, sid).positions : new Map();
    const positions = input.legacy.flatMap((p) => {
      const f = shares.get(Symbol(p.symbol));
      if (!f?.gt(0)) return [];
      return [
        {
          symbol: p.symbol,
          qty: Quantity.of(p.qty.value.times(f)).round(9),
          marketValue: p.marketValue.times(f).round(2),
          unrealizedPnl: p.unrealizedPnl.times(f).round(2),
        },
      ];
    });
    return {
      strategyId: sid,
      attributed: true,
      positions,
      marketValue: Money.sum(positions.map((p) => p.marketValue)),
      realizedPnl: realized.round(2),
      unrealizedPnl: Money.sum(positions.map((p) => p.unrealizedPnl)),
    };
  });
}
