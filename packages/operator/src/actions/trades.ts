import { marketTimeToInstant, type StrategyId, TradingDate } from '@books/core';
import type { StrategyTrade } from '@books/ledger-client';
import { strategyTrades } from '../queries/book-queries';
import { type QueryContext, selectStrategies } from '../queries/local-session';

/** The instant range `[from 00:00, day after to 00:00)` New York of inclusive trading dates. */
export function dateRange(from?: string, to?: string): { from?: string; to?: string } {
  const start =
    from !== undefined ? marketTimeToInstant(TradingDate(from), '00:00').toISOString() : undefined;
  let end: string | undefined;
  if (to !== undefined) {
    const next = new Date(`${TradingDate(to)}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    end = marketTimeToInstant(next.toISOString().slice(0, 10), '00:00').toISOString();
  }
  if (start !== undefined && end !== undefined && start >= end)
    throw new Error(`--from ${from} is after --to ${to}`);
  return { ...(start ? { from: start } : {}), ...(end ? { to: end } : {}) };
}

/**
 * The selected strategies' fills between two trading dates, inclusive (GSI1, all pages), in time
 * order then by strategy. Throws on an unknown strategy or a bad range.
 */
export async function stageTrades(
  ctx: QueryContext,
  request: { readonly strategy?: string; readonly from?: string; readonly to?: string },
): Promise<{ strategies: StrategyId[]; trades: StrategyTrade[] }> {
  const range = dateRange(request.from, request.to);
  const strategies = selectStrategies(ctx, request.strategy);
  const trades = (
    await Promise.all(strategies.map((sid) => strategyTrades(ctx.services, sid, range)))
  ).flat();
  trades.sort((a, b) =>
    a.filledAt < b.filledAt ? -1 : a.filledAt > b.filledAt ? 1 : a.strategyId < b.strategyId ? -1 : 1,
  );
  return { strategies, trades };
}
