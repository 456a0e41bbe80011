import {
  type CapitalPolicy,
  Money,
  quantityFor,
  type RunId,
  StrategyId,
  Symbol,
  shareOf,
  type TradingDate,
  Weight,
} from '@books/core';
import { type LegacyContribution, type LegacySignals, type StoredPlan } from '@books/ledger-client';
import {
  applyTransfer,
  applyTransferChanges,
  type Book,
  emptyBook,
  planBookCapital,
  planRebalance,
  quantitiesOf,
  valueBook,
} from '@books/portfolio';
import type { MarketPrices } from '@books/runtime';
import { carveOut, carveShares } from './carve';
import type { ShadowReport, ShadowTrade } from './ports';

export interface ShadowInput {
  readonly runId: RunId;
  readonly asOf: TradingDate;
  readonly plannedAt: string;
  readonly accountEquity: Money;
  readonly policy: CapitalPolicy;
  readonly minTradeNotional: Money;
  readonly contribution: LegacyContribution;
  readonly signals: LegacySignals;
  readonly previous: LegacySignals | undefined;
  /** The legacy book before this run's trades. */
  readonly legacyBook: Book;
  readonly legacyPlan: StoredPlan;
}

/**
 * A shadow strategy's two answers for one run: its share of what the merged flow targets and
 * trades, and what its own plan would target and trade from the book a migration would give it
 * now (its carve-out of the legacy book by the previous run's contributions), with the same
 * capital policy and planning code as a per-strategy worker. Nothing here is traded.
 */
export async function shadowReport(market: MarketPrices, input: ShadowInput): Promise<ShadowReport> {
  const sid = StrategyId(input.contribution.strategyId);
  const weights = new Map(Object.entries(input.contribution.weights).map(([s, w]) => [Symbol(s), w]));
  const heldByLegacy = [...quantitiesOf(input.legacyBook).keys()];
  const symbols = [...new Set<Symbol>([...heldByLegacy, ...weights.keys()])].sort();
  const [prices, assets] = await Promise.all([market.prices(symbols, input.asOf), market.assets(symbols)]);

  let own = emptyBook(sid);
  if (input.previous) {
    const carve = carveOut({
      legacy: input.legacyBook,
      target: own,
      shares: carveShares(input.previous, sid),
      assets,
      id: `shadow-${input.runId}`,
      at: input.plannedAt,
    });
    own = applyTransferChanges(own, carve.in).book;
  }
  const holds = own.lots.length > 0 || !own.cash.isZero();
  const capital = planBookCapital({
    runId: input.runId,
    strategyId: sid,
    allocation: input.contribution.allocation,
    accountEquity: input.accountEquity,
    policy: input.policy,
    ...(holds ? { book: { equity: valueBook(own, prices).equity, cash: own.cash } } : {}),
    at: input.plannedAt,
  });
  const funded = capital.transfer ? applyTransfer(own, capital.transfer) : own;
  const plan = planRebalance({
    book: funded,
    targets: weights,
    capital: capital.capital,
    prices,
    assets,
    minNotional: input.minTradeNotional,
    ...(input.contribution.rebalanceThreshold
      ? { rebalanceThreshold: input.contribution.rebalanceThreshold }
      : {}),
  });

  const legacyCapital = input.legacyPlan.capital.capital;
  const allocation = input.signals.legacyAllocation;
  const targets = symbols
    .filter((s) => weights.has(s) || input.contribution.contributions[s] !== undefined)
    .map((symbol) => {
      const price = prices.get(symbol);
      const part = input.contribution.contributions[symbol] ?? Weight.ZERO;
      const legacyValue = allocation.isPositive()
        ? shareOf(Weight.of(part.value.dividedBy(allocation.value)), legacyCapital)
        : Money.ZERO;
      const perStrategyValue = shareOf(weights.get(symbol) ?? Weight.ZERO, capital.capital);
      const qty = (v: Money) => (price ? quantityFor(v, price).round(6).toString() : '?');
      return {
        symbol,
        legacyValue: legacyValue.toCents().toString(),
        legacyQty: qty(legacyValue),
        perStrategyValue: perStrategyValue.toCents().toString(),
        perStrategyQty: qty(perStrategyValue),
      };
    });
  const legacyTrades: ShadowTrade[] = [];
  for (const t of [...input.legacyPlan.sells, ...input.legacyPlan.buys]) {
    const share = input.legacyPlan.attribution?.[t.symbol]?.[sid];
    if (!share?.isPositive()) continue;
    legacyTrades.push({
      symbol: t.symbol,
      side: t.side,
      qty: t.qty.times(share.value).round(6).toString(),
      value: t.estimatedValue.times(share.value).toCents().toString(),
    });
  }
  return {
    runId: input.runId,
    strategyId: sid,
    asOf: input.asOf,
    capital: capital.capital.toCents().toString(),
    targets,
    legacyTrades,
    perStrategyTrades: [...plan.sells, ...plan.buys].map((t) => ({
      symbol: t.symbol,
      side: t.side,
      qty: t.qty.toString(),
      value: t.estimatedValue.toCents().toString(),
    })),
    suppressed: plan.suppressed.map((t) => ({
      symbol: t.symbol,
      side: t.side,
      qty: t.qty.toString(),
      value: t.value.toCents().toString(),
      reason: t.reason,
    })),
  };
}
