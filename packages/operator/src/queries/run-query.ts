import { clientOrderIdFor, marketTimeToInstant, RunId, type StrategyId, type TradingDate } from '@books/core';
import { decodeRelease, keys, readStoredPlan, type StoredPlan } from '@books/ledger-client';
import type { Services } from '@books/runtime';
import { type RunCompleteness, runCompleteness, type StrategyPlanView } from './run-completeness';

/** The BUY release of a strategy (absent: not released yet), with the client order ids it sent. */
async function readRelease(services: Services, runId: RunId, sid: StrategyId) {
  const item = await services.table.getItem(keys.release(runId, sid));
  if (!item) return undefined;
  const { released, suppressed } = decodeRelease(item);
  return {
    buys: released.map((t) => ({
      clientOrderId: clientOrderIdFor({ runId, strategyId: sid, symbol: t.symbol, side: t.side, leg: t.leg }),
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
    })),
    suppressed: suppressed.map((x) => ({ symbol: x.symbol, side: x.side, qty: x.qty, reason: x.reason })),
  };
}

export function planView(plan: StoredPlan, release?: StrategyPlanView['release']): StrategyPlanView {
  const trade = (t: StoredPlan['sells'][number]) => ({
    clientOrderId: t.clientOrderId,
    symbol: t.symbol,
    side: t.side,
    qty: t.qty.toString(),
  });
  return {
    sells: plan.sells.map(trade),
    buys: plan.buys.map(trade),
    suppressed: plan.suppressed.map((s) => ({
      symbol: s.symbol,
      side: s.side,
      qty: s.qty.toString(),
      reason: s.reason,
    })),
    ...(release ? { release } : {}),
  };
}

/** The close of the run's trading day: the broker's session close (early closes included), else 16:00 New York. */
export async function sessionCloseOf(services: Services, date: TradingDate): Promise<Date> {
  try {
    const days = await services.broker.getCalendar(date, date);
    const day = days.find((d) => d.date === date);
    if (day) return day.closeAt;
  } catch (e) {
    services.logger.warn({ err: e, date }, 'no broker calendar; assuming a 16:00 close');
  }
  return marketTimeToInstant(date, '16:00');
}

/** Reads a run, its plans and BUY releases, and derives its completeness at `now`; undefined when no such run. */
export async function loadRunCompleteness(
  services: Services,
  runId: RunId,
  now: Date,
): Promise<RunCompleteness | undefined> {
  const run = await services.runs.listRunItems(runId);
  if (!run) return undefined;
  const plans = new Map<string, StrategyPlanView>();
  await Promise.all(
    run.strategies.map(async (s) => {
      const [plan, release] = await Promise.all([
        readStoredPlan(services.table, runId, s.strategyId),
        readRelease(services, runId, s.strategyId),
      ]);
      if (plan) plans.set(s.strategyId, planView(plan, release));
    }),
  );
  const closeAt = await sessionCloseOf(services, run.meta.tradingDate);
  return runCompleteness(run, plans, now, closeAt);
}
