import { writeFileSync } from 'node:fs';
import { type BooksConfig, Decimal, LEGACY, Money, notional, Quantity, type StrategyId } from '@books/core';
import { LegacyRepository, type LegacySignals, type LegacyTrade } from '@books/ledger-client';
import { attributedPnl, carveShares } from '@books/legacy';
import { strategyPnl } from '@books/operator';
import { attributedEquities } from '@books/portfolio';
import type { Services } from '@books/runtime';
import type { StrategyDay } from './state';
import type { TradeTotals } from './summary';

/** The flow a replay runs every strategy on (`--flow`); absent, each strategy's configured flow. */
export type ReplayFlow = 'per-strategy' | 'legacy';

/**
 * Writes the stage's flow-flag file so that every configured strategy runs on `flow`, before the
 * replay's first day (the flags override the config file's `flow`, as `books migrate` sets them).
 * Idempotent: a resumed replay writes the same file.
 */
export function writeReplayFlowFlags(file: string, config: BooksConfig, flow: ReplayFlow): void {
  const flags = Object.fromEntries(config.strategies.map((s) => [s.id, flow]));
  writeFileSync(file, `${JSON.stringify(flags, null, 2)}\n`);
}

/**
 * The day's records of the merged flow: the LEGACY book as it is, and each merged strategy's
 * ATTRIBUTED share of it (labelled so): its positions' share (`attributedPnl`, by its
 * contributions to the latest legacy run) plus its share of the legacy cash (`carveShares`), and
 * its allocation's share of the legacy book's transfers (`attributedEquities`, @books/portfolio).
 */
export async function legacyDay(
  services: Services,
  config: BooksConfig,
  merged: readonly StrategyId[],
  dayTrades: readonly LegacyTrade[],
  runStatus: (sid: StrategyId) => string,
): Promise<Record<string, StrategyDay>> {
  const legacy = await strategyPnl(services, LEGACY);
  if (!legacy.exists) return {};
  const signals = await new LegacyRepository(services.table).latestSignals();
  const attributed = attributedPnl({
    strategyIds: merged,
    trades: [],
    signals,
    legacy: legacy.positions.map((p) => ({ ...p, qty: Quantity.parse(p.qty) })),
  });
  const allocations = new Map(config.strategies.map((s) => [s.id, s.allocation.value]));
  const out: Record<string, StrategyDay> = {
    [LEGACY]: {
      status: runStatus(LEGACY),
      equity: legacy.equity.toString(),
      transfersTotal: legacy.transfersTotal.toString(),
      trades: dayTrades.length,
    },
  };
  const equities = attributedEquities(
    legacy,
    attributed.map((a) => ({
      strategyId: a.strategyId,
      marketValue: a.marketValue,
      cashShare: cashShare(signals, a.strategyId),
      allocation: allocations.get(a.strategyId) ?? new Decimal(0),
    })),
  );
  for (const e of equities) {
    out[e.strategyId] = {
      status: runStatus(e.strategyId),
      equity: e.equity.toString(),
      transfersTotal: e.transfersTotal.toString(),
      trades: dayTrades.filter((t) => weightOf(t, e.strategyId).gt(0)).length,
      attributed: true,
    };
  }
  return out;
}

function cashShare(signals: LegacySignals | undefined, sid: StrategyId): Decimal {
  return signals ? carveShares(signals, sid).cash : new Decimal(0);
}

function weightOf(t: LegacyTrade, sid: StrategyId): Decimal {
  return t.strategyWeights.find((w) => w.strategyId === sid)?.weight.value ?? new Decimal(0);
}

/**
 * Trade totals of the merged flow over the replay: the LEGACY book's trades, and each merged
 * strategy's attributed part of them (count of the trades it has a share in; value and fees × share).
 */
export function legacyTradeTotals(
  trades: readonly LegacyTrade[],
  merged: readonly StrategyId[],
): Map<string, TradeTotals> {
  const value = (t: LegacyTrade) => notional(t.filledQty, t.fillPrice).abs();
  const out = new Map<string, TradeTotals>([
    [
      LEGACY,
      {
        count: trades.length,
        tradedValue: Money.sum(trades.map(value)),
        fees: Money.sum(trades.map((t) => t.fees)),
      },
    ],
  ]);
  for (const sid of merged) {
    const mine = trades.filter((t) => weightOf(t, sid).gt(0));
    out.set(sid, {
      count: mine.length,
      tradedValue: Money.sum(mine.map((t) => value(t).times(weightOf(t, sid)))),
      fees: Money.sum(mine.map((t) => t.fees.times(weightOf(t, sid)))),
    });
  }
  return out;
}
