import type { OrderIntent, RunItems, RunStrategy } from '@books/ledger-client';
import {
  isFinalIntentState,
  runCompletion,
  type StrategyProgress,
  strategyCompletion,
} from '@books/reconciliation';

/**
 * Run completeness for `books runs`, derived from the run's items and its strategies' plans — a
 * pure function. Whether a strategy and the run are complete is execution's one rule
 * (`strategyCompletion`, `runCompletion`: the rule by which the run's reconciliation is requested);
 * this module shows it trade by trade:
 * - every planned trade ends FILLED | REJECTED | CANCELED | EXPIRED (its intent's final state) or
 *   SUPPRESSED (with the plan's or the BUY release's reason). A SELL or released BUY with no
 *   intent yet is QUEUED; a BUY held until its strategy's SELLs are done is HELD;
 * - a strategy is final when the rule finds it complete and none of its trades is open; a PLANNED
 *   one is then shown TRADED (or NOTHING_TO_DO when all it planned was suppressed);
 * - a run that is not complete once `now` is at or past the close is STUCK, and `missing` says
 *   what each incomplete strategy still waits for.
 * The stored statuses are read, never written: TRADED is derived here (nothing records it).
 */

export interface PlanTrade {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
}

export interface PlanSuppression {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  readonly reason: string;
}

/** What completeness needs of one strategy's plan, and of its BUY release when one happened. */
export interface StrategyPlanView {
  readonly sells: readonly PlanTrade[];
  readonly buys: readonly PlanTrade[];
  readonly suppressed: readonly PlanSuppression[];
  /** The BUYs sent (re-sized) once the SELLs were done; undefined while none was released. */
  readonly release?: {
    readonly buys: readonly PlanTrade[];
    readonly suppressed: readonly PlanSuppression[];
  };
}

export type TradeState = string;

export interface TradeCompleteness {
  readonly clientOrderId?: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: string;
  /** An intent state, or SUPPRESSED, HELD (BUY awaiting its SELLs), QUEUED (sent, not yet executed). */
  readonly state: TradeState;
  readonly final: boolean;
  readonly reason?: string;
}

export type DerivedStrategyStatus =
  | 'TRADED'
  | 'NOTHING_TO_DO'
  | 'NOT_DUE'
  | 'FAILED'
  | 'SKIPPED'
  | 'SIGNALLED'
  | 'PLANNED'
  | 'PENDING'
  | 'UNKNOWN';

export interface StrategyCompleteness {
  readonly strategyId: string;
  /** The status stored on the run's strategy item. */
  readonly storedStatus: string;
  readonly status: DerivedStrategyStatus;
  readonly final: boolean;
  readonly reason?: string;
  readonly trades: readonly TradeCompleteness[];
  /** What this strategy still waits for (empty when final). */
  readonly missing: readonly string[];
}

export type RunCompletenessStatus = 'COMPLETE' | 'IN_PROGRESS' | 'STUCK';

export interface RunCompleteness {
  readonly runId: string;
  readonly tradingDate: string;
  readonly runStatus: string;
  readonly status: RunCompletenessStatus;
  readonly closeAt: string;
  readonly strategies: readonly StrategyCompleteness[];
  /** Everything not final, across strategies; listed whether or not the run is stuck yet. */
  readonly missing: readonly string[];
}

export function runCompleteness(
  run: RunItems,
  plans: ReadonlyMap<string, StrategyPlanView>,
  now: Date,
  closeAt: Date,
): RunCompleteness {
  const states = new Map<string, string>(run.intents.map((i) => [i.clientOrderId, i.state]));
  const strategies = run.strategies
    .map((s) =>
      strategyCompleteness(
        s,
        plans.get(s.strategyId),
        run.intents.filter((i) => i.strategyId === s.strategyId),
        states,
      ),
    )
    .sort((a, b) => (a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0));
  const completion = runCompletion({
    status: run.meta.status,
    strategies: run.strategies,
    plans: new Map([...plans].map(([sid, p]) => [sid, planIds(p)])),
    releases: new Map(
      [...plans].flatMap(([sid, p]) =>
        p.release ? [[sid, p.release.buys.map((b) => b.clientOrderId)]] : [],
      ),
    ),
    intents: run.intents,
  });
  const perStrategy = strategies.flatMap((s) => s.missing.map((m) => `${s.strategyId}: ${m}`));
  const missing = !completion.complete && perStrategy.length === 0 ? [completion.waitingFor] : perStrategy;
  return {
    runId: run.meta.runId,
    tradingDate: run.meta.tradingDate,
    runStatus: run.meta.status,
    status: completion.complete ? 'COMPLETE' : now.getTime() >= closeAt.getTime() ? 'STUCK' : 'IN_PROGRESS',
    closeAt: closeAt.toISOString(),
    strategies,
    missing,
  };
}

function planIds(plan: StrategyPlanView): { sells: string[]; buys: string[] } {
  return { sells: plan.sells.map((t) => t.clientOrderId), buys: plan.buys.map((t) => t.clientOrderId) };
}

function progressOf(s: RunStrategy, plan: StrategyPlanView | undefined): StrategyProgress {
  return {
    strategyId: s.strategyId,
    status: s.status,
    pendingSells: s.pendingSells,
    ...(plan ? { plan: planIds(plan) } : {}),
    ...(plan?.release ? { released: plan.release.buys.map((b) => b.clientOrderId) } : {}),
  };
}

/** A strategy's trades as stored, and the status to show before completeness is known. */
interface StrategyView {
  readonly status: DerivedStrategyStatus;
  readonly reason?: string;
  readonly trades: readonly TradeCompleteness[];
}

function strategyCompleteness(
  stored: RunStrategy,
  plan: StrategyPlanView | undefined,
  intents: readonly OrderIntent[],
  states: ReadonlyMap<string, string>,
): StrategyCompleteness {
  const completion = strategyCompletion(progressOf(stored, plan), states);
  const view = viewOf(stored, plan, intents);
  const open = view.trades.filter((t) => !t.final);
  const final = completion.complete && open.length === 0;
  const missing = open.map(describe);
  if (!completion.complete && missing.length === 0) missing.push(completion.waitingFor);
  const status: DerivedStrategyStatus =
    view.status !== 'PLANNED'
      ? view.status
      : !final
        ? 'PLANNED'
        : view.trades.some((t) => t.state !== 'SUPPRESSED')
          ? 'TRADED'
          : 'NOTHING_TO_DO';
  return {
    strategyId: stored.strategyId,
    storedStatus: stored.status,
    status,
    final,
    ...(view.reason !== undefined ? { reason: view.reason } : {}),
    trades: view.trades,
    missing,
  };
}

function viewOf(
  stored: RunStrategy,
  plan: StrategyPlanView | undefined,
  intents: readonly OrderIntent[],
): StrategyView {
  const storedReason = stored.error ?? stored.skipReason;
  const withReason = storedReason !== undefined ? { reason: storedReason } : {};
  switch (stored.status) {
    case 'FAILED':
      return {
        status: 'FAILED',
        reason: storedReason ?? 'failed (no reason recorded)',
        trades: intents.map(fromIntent),
      };
    case 'SKIPPED':
      return { status: 'SKIPPED', ...withReason, trades: [] };
    case 'SIGNALLED':
      return { status: 'SIGNALLED', ...withReason, trades: intents.map(fromIntent) };
    case 'PENDING':
      return { status: 'PENDING', trades: intents.map(fromIntent) };
    case 'NOTHING_TO_DO':
      // A book whose rebalance schedule did not fall on the day: complete, with no trade.
      if (stored.notDue !== undefined)
        return { status: 'NOT_DUE', reason: `not due: ${stored.notDue}`, trades: [] };
      return { status: 'NOTHING_TO_DO', trades: plan ? plan.suppressed.map(suppressedTrade) : [] };
    case 'PLANNED':
      return { status: 'PLANNED', trades: plan ? plannedTrades(plan, intents) : intents.map(fromIntent) };
    default:
      return { status: 'UNKNOWN', trades: intents.map(fromIntent) };
  }
}

/** A PLANNED strategy's trades: its SELLs, its BUYs (sent, held or released), its suppressions. */
function plannedTrades(plan: StrategyPlanView, intents: readonly OrderIntent[]): TradeCompleteness[] {
  const byId = new Map(intents.map((i) => [i.clientOrderId as string, i]));
  const seen = new Set<string>();
  const sent = (t: PlanTrade): TradeCompleteness => {
    seen.add(t.clientOrderId);
    const intent = byId.get(t.clientOrderId);
    return intent
      ? fromIntent(intent)
      : { ...t, state: 'QUEUED', final: false, reason: 'sent; execution has not recorded it' };
  };
  const trades: TradeCompleteness[] = [...plan.sells.map(sent)];
  if (plan.sells.length === 0) trades.push(...plan.buys.map(sent));
  else if (!plan.release)
    trades.push(
      ...plan.buys.map((b) => ({
        ...b,
        state: 'HELD',
        final: false,
        reason: 'held until the SELLs are done',
      })),
    );
  else {
    const release = plan.release;
    trades.push(...release.buys.map(sent));
    const releasedIds = new Set(release.buys.map((b) => b.clientOrderId));
    for (const b of plan.buys) {
      if (releasedIds.has(b.clientOrderId)) continue;
      const why = release.suppressed.find((s) => s.symbol === b.symbol && s.side === b.side);
      trades.push({
        ...b,
        state: 'SUPPRESSED',
        final: true,
        reason: why ? `${why.reason} (at release)` : 'not needed when re-sized after the SELLs',
      });
    }
    for (const s of release.suppressed)
      if (!plan.buys.some((b) => b.symbol === s.symbol && b.side === s.side))
        trades.push(suppressedTrade({ ...s, reason: `${s.reason} (at release)` }));
  }
  trades.push(...plan.suppressed.map(suppressedTrade));
  // Intents the plan does not explain are shown too: they are part of the run all the same.
  for (const i of intents) if (!seen.has(i.clientOrderId)) trades.push(fromIntent(i));

  return trades;
}

function fromIntent(i: OrderIntent): TradeCompleteness {
  return {
    clientOrderId: i.clientOrderId,
    symbol: i.symbol,
    side: i.side,
    qty: i.qty.toString(),
    state: i.state,
    final: isFinalIntentState(i.state),
    ...(i.reason !== undefined ? { reason: i.reason } : {}),
  };
}

function suppressedTrade(s: PlanSuppression): TradeCompleteness {
  return { symbol: s.symbol, side: s.side, qty: s.qty, state: 'SUPPRESSED', final: true, reason: s.reason };
}

function describe(t: TradeCompleteness): string {
  return `${t.side.toUpperCase()} ${t.qty} ${t.symbol} is ${t.state}${t.reason ? ` (${t.reason})` : ''}`;
}
