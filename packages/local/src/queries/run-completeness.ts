import type { OrderIntent, RunItems } from '@books/ledger-client';

/**
 * Run completeness, derived from the run's items and its strategies' plans — a pure function.
 *
 * Invariants this module checks (DESIGN §1, issue 6 "Run completeness"):
 * - every strategy of a run ends TRADED | NOTHING_TO_DO | FAILED (with its error), or SKIPPED when
 *   the coordinator did not enable it; PENDING (no plan yet) and PLANNED (trades not all final)
 *   are incomplete;
 * - every planned trade ends FILLED | REJECTED | CANCELED | EXPIRED (its intent's final state) or
 *   SUPPRESSED (with the plan's or the BUY release's reason). A SELL or released BUY with no
 *   intent yet is QUEUED; a BUY held until its strategy's SELLs are done is HELD;
 * - a run that is not complete once `now` is at or past the close is STUCK, and `missing` says
 *   what each incomplete strategy still waits for.
 * The stored statuses are read, never written: TRADED is derived here (execution does not record it).
 */

/** Intent states after which nothing more happens to the order (execution's transition table). */
export const FINAL_INTENT_STATES: readonly string[] = ['FILLED', 'REJECTED', 'CANCELED', 'EXPIRED'];

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
  | 'FAILED'
  | 'SKIPPED'
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

export function isFinalIntentState(state: string): boolean {
  return FINAL_INTENT_STATES.includes(state);
}

export function runCompleteness(
  run: RunItems,
  plans: ReadonlyMap<string, StrategyPlanView>,
  now: Date,
  closeAt: Date,
): RunCompleteness {
  const strategies = run.strategies
    .map((s) =>
      strategyCompleteness(
        s.strategyId,
        s.status,
        s.error ?? s.skipReason,
        plans.get(s.strategyId),
        run.intents.filter((i) => i.strategyId === s.strategyId),
      ),
    )
    .sort((a, b) => (a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0));
  const missing = strategies.flatMap((s) => s.missing.map((m) => `${s.strategyId}: ${m}`));
  const complete = strategies.every((s) => s.final);
  return {
    runId: run.meta.runId,
    tradingDate: run.meta.tradingDate,
    runStatus: run.meta.status,
    status: complete ? 'COMPLETE' : now.getTime() >= closeAt.getTime() ? 'STUCK' : 'IN_PROGRESS',
    closeAt: closeAt.toISOString(),
    strategies,
    missing,
  };
}

function strategyCompleteness(
  strategyId: string,
  storedStatus: string,
  storedReason: string | undefined,
  plan: StrategyPlanView | undefined,
  intents: readonly OrderIntent[],
): StrategyCompleteness {
  const base = { strategyId, storedStatus };
  const withReason = storedReason !== undefined ? { reason: storedReason } : {};
  switch (storedStatus) {
    case 'FAILED':
      return {
        ...base,
        status: 'FAILED',
        final: true,
        reason: storedReason ?? 'failed (no reason recorded)',
        trades: intents.map(fromIntent),
        missing: [],
      };
    case 'SKIPPED':
      return { ...base, status: 'SKIPPED', final: true, ...withReason, trades: [], missing: [] };
    case 'PENDING':
      return {
        ...base,
        status: 'PENDING',
        final: false,
        trades: intents.map(fromIntent),
        missing: ['no plan recorded (PENDING)'],
      };
    case 'NOTHING_TO_DO':
      return {
        ...base,
        status: 'NOTHING_TO_DO',
        final: true,
        trades: plan ? plan.suppressed.map(suppressedTrade) : [],
        missing: [],
      };
    case 'PLANNED':
      return plannedCompleteness(base, plan, intents);
    default:
      return {
        ...base,
        status: 'UNKNOWN',
        final: false,
        trades: intents.map(fromIntent),
        missing: [`unknown status ${storedStatus}`],
      };
  }
}

function plannedCompleteness(
  base: { strategyId: string; storedStatus: string },
  plan: StrategyPlanView | undefined,
  intents: readonly OrderIntent[],
): StrategyCompleteness {
  if (!plan) {
    const trades = intents.map(fromIntent);
    return {
      ...base,
      status: 'PLANNED',
      final: false,
      trades,
      missing: [
        'no plan item recorded for a PLANNED strategy',
        ...trades.filter((t) => !t.final).map(describe),
      ],
    };
  }
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

  const open = trades.filter((t) => !t.final);
  const traded = trades.some((t) => t.state !== 'SUPPRESSED');
  const status: DerivedStrategyStatus = open.length > 0 ? 'PLANNED' : traded ? 'TRADED' : 'NOTHING_TO_DO';
  return { ...base, status, final: open.length === 0, trades, missing: open.map(describe) };
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
