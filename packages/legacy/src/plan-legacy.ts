import {
  type CapitalPolicy,
  clientOrderIdFor,
  EXTERNAL,
  errorMessage,
  LEGACY,
  type Logger,
  type Money,
  Quantity,
  type RunId,
  type StrategyId,
  Symbol,
  type TradingDate,
  Weight,
} from '@books/core';
import { type LegacySignals, type StoredPlan } from '@books/ledger-client';
import {
  applyTransfer,
  type Book,
  compareText,
  legacyBookPositions,
  MissingPriceError,
  type PlannedTrade,
  planBookCapital,
  planRebalance,
  quantitiesOf,
  type RebalancePlan,
  valueBook,
} from '@books/portfolio';
import { type ExecutionQueue, sendFirstLeg } from '@books/queue';
import type { MarketPrices } from '@books/runtime';
import { aggregateSignals, type MergedFlowStrategy, sharesOf, type WorkerSignal } from './aggregate';
import type { BrokerPositions, LegacyLedger } from './ports';
import { shadowReport } from './shadow';

export interface LegacyPlanDeps {
  readonly ledger: LegacyLedger;
  readonly broker: BrokerPositions;
  readonly market: MarketPrices;
  readonly queue: ExecutionQueue;
  readonly logger: Logger;
}

export interface LegacyPlanInput {
  readonly runId: RunId;
  readonly asOf: TradingDate;
  readonly plannedAt: string;
  readonly accountEquity: Money;
  readonly policy: CapitalPolicy;
  readonly minTradeNotional: Money;
  /** Every strategy of the merged flow in the run (legacy and shadow, dispatched or not). */
  readonly strategies: readonly MergedFlowStrategy[];
  /** The per-strategy books (and EXTERNAL) whose positions the legacy book must never trade. */
  readonly perStrategyIds: readonly StrategyId[];
  readonly signals: ReadonlyMap<StrategyId, WorkerSignal>;
  readonly dryRun: boolean;
  /** The coordinator's top-up grant of the LEGACY book: the most this run pays into it from the pool. */
  readonly topUpLimit?: Money;
  /** The share of the LEGACY book's capital its plan leaves in cash; none when absent. */
  readonly cashReserve?: Weight;
}

export interface LegacyPlanResult {
  readonly outcome: 'PLANNED' | 'NOTHING_TO_DO' | 'DRY_RUN' | 'FAILED';
  readonly resumed: boolean;
  readonly sent: number;
  readonly signals?: LegacySignals;
  readonly plan?: StoredPlan;
  readonly reason?: string;
}

/**
 * The merged (legacy) flow of one run: merge the partial signals, plan the legacy book with the
 * SAME planning code as the per-strategy workers, record the plan, and send its SELLs (its BUYs
 * are held and released when the SELLs are final, as for any book).
 *
 * Contract:
 * - The legacy book may only trade what it owns: its positions are the smaller of its stored lots
 *   and broker − Σ per-strategy books − EXTERNAL, per symbol; it never sells a share a
 *   per-strategy book owns (execution bounds every SELL by the stored lots again).
 * - Legacy capital = Σ allocations of the merged flow × the run's one equity snapshot, under the
 *   stage's capital policy (the legacy book is funded and re-targeted like any book).
 * - Each trade carries `strategy_names` / `strategy_weights`: a BUY's by the current
 *   contributions, a SELL's by the previous run's (who held what is sold).
 * - Safe to retry: the merge is recorded once and a recorded plan is re-sent, never re-planned.
 */
export async function planLegacy(deps: LegacyPlanDeps, input: LegacyPlanInput): Promise<LegacyPlanResult> {
  const log = deps.logger.child({ runId: input.runId, strategyId: LEGACY });
  const previous = await deps.ledger.previousSignals(input.asOf);
  let signals = aggregateSignals({
    runId: input.runId,
    tradingDate: input.asOf,
    recordedAt: input.plannedAt,
    strategies: input.strategies,
    signals: input.signals,
    ...(previous ? { previous } : {}),
  });
  if (!input.dryRun) {
    signals = await deps.ledger.putSignals(signals);
    const earlier = await deps.ledger.readPlan(input.runId);
    if (earlier) {
      log.info({ event: 'plan-resumed' }, 'legacy plan already recorded: re-sending its orders');
      const sent = await send(deps, input, earlier);
      return { outcome: outcomeOf(earlier), resumed: true, sent, signals, plan: earlier };
    }
  }
  for (const c of signals.strategies.filter((x) => x.status !== 'SIGNALLED'))
    log.warn(
      { event: 'legacy-signal-missing', strategy: c.strategyId, status: c.status, reason: c.reason },
      `${c.strategyId}: ${c.status === 'HELD' ? `holds its contribution of ${c.heldFromRunId}` : 'contributes nothing'} (${c.reason})`,
    );

  let plan: StoredPlan;
  let funded: Book;
  try {
    ({ plan, funded } = await planBook(deps, input, signals, previous));
  } catch (e) {
    if (!(e instanceof MissingPriceError)) throw e;
    log.error({ event: 'legacy-failed', err: e }, e.message);
    return { outcome: 'FAILED', resumed: false, sent: 0, signals, reason: e.message };
  }
  log.info(
    {
      event: 'legacy-planned',
      capital: plan.capital.explanation,
      sells: plan.sells.length,
      buys: plan.buys.length,
      suppressed: plan.suppressed.length,
    },
    'legacy book planned',
  );
  if (input.dryRun) return { outcome: 'DRY_RUN', resumed: false, sent: 0, signals, plan };
  await deps.ledger.recordPlan(plan, outcomeOf(plan));
  await recordShadows(deps, input, signals, previous, plan, funded, log);
  const sent = await send(deps, input, plan);
  return { outcome: outcomeOf(plan), resumed: false, sent, signals, plan };
}

async function planBook(
  deps: LegacyPlanDeps,
  input: LegacyPlanInput,
  signals: LegacySignals,
  previous: LegacySignals | undefined,
): Promise<{ plan: StoredPlan; funded: Book }> {
  const [legacy, owned, broker] = await Promise.all([
    deps.ledger.readLegacyBook(),
    deps.ledger.ownedPositions([...input.perStrategyIds, EXTERNAL]),
    deps.broker.positions(),
  ]);
  const derived = legacyBookPositions(broker, owned).positions;
  const stored = quantitiesOf(legacy.book);
  const positions = new Map<Symbol, Quantity>();
  for (const [symbol, qty] of stored) {
    const allowed = derived.get(symbol);
    const own = allowed === undefined ? Quantity.ZERO : qty.min(allowed);
    if (own.isPositive()) positions.set(symbol, own);
  }
  const allocation = signals.legacyAllocation;
  const targets = new Map<Symbol, Weight>();
  if (allocation.isPositive())
    for (const [symbol, w] of Object.entries(signals.merged))
      targets.set(Symbol(symbol), Weight.of(w.value.dividedBy(allocation.value)));
  const symbols = [...new Set<Symbol>([...stored.keys(), ...targets.keys()])].sort(compareText);
  const [prices, assets] = await Promise.all([
    deps.market.prices(symbols, input.asOf),
    deps.market.assets([...targets.keys()]),
  ]);
  const valuation = valueBook(legacy.book, prices);
  const capital = planBookCapital({
    runId: input.runId,
    strategyId: LEGACY,
    allocation,
    accountEquity: input.accountEquity,
    policy: input.policy,
    ...(legacy.exists ? { book: { equity: valuation.equity, cash: legacy.book.cash } } : {}),
    at: input.plannedAt,
    ...(input.topUpLimit ? { topUpLimit: input.topUpLimit } : {}),
  });
  const funded = capital.transfer ? applyTransfer(legacy.book, capital.transfer) : legacy.book;
  const threshold = bandOf(signals);
  const rebalance = planRebalance({
    book: { positions, cash: funded.cash },
    targets,
    capital: capital.capital,
    prices,
    assets,
    minNotional: input.minTradeNotional,
    ...(threshold ? { rebalanceThreshold: threshold } : {}),
    ...(input.cashReserve ? { cashReserve: input.cashReserve } : {}),
  });
  const withId = (t: PlannedTrade) => ({
    ...t,
    clientOrderId: clientOrderIdFor({
      runId: input.runId,
      strategyId: LEGACY,
      symbol: t.symbol,
      side: t.side,
      leg: t.leg,
    }),
  });
  const plan: StoredPlan = {
    runId: input.runId,
    strategyId: LEGACY,
    file: '(merged flow)',
    allocation,
    asOf: input.asOf,
    plannedAt: input.plannedAt,
    weights: Object.fromEntries(targets),
    ...(threshold ? { rebalanceThreshold: threshold } : {}),
    minTradeNotional: input.minTradeNotional,
    equity: valuation.equity,
    capital,
    sells: rebalance.sells.map(withId),
    buys: rebalance.buys.map(withId),
    suppressed: [...rebalance.suppressed],
    estimatedCashAfter: rebalance.estimatedCashAfter,
    attribution: attributionOf(rebalance, signals, previous),
  };
  return { plan, funded };
}

/** The merged flow's band: the tightest of its strategies' `:rebalance-threshold`, if all have one. */
function bandOf(signals: LegacySignals): Weight | undefined {
  const live = signals.strategies.filter((c) => c.status !== 'FAILED');
  if (live.length === 0 || live.some((c) => c.rebalanceThreshold === undefined)) return undefined;
  return live.reduce<Weight | undefined>(
    (min, c) => (c.rebalanceThreshold && (!min || c.rebalanceThreshold.lt(min)) ? c.rebalanceThreshold : min),
    undefined,
  );
}

function attributionOf(
  plan: Pick<RebalancePlan, 'sells' | 'buys'>,
  current: LegacySignals,
  previous: LegacySignals | undefined,
): Record<string, Record<string, Weight>> {
  const out: Record<string, Record<string, Weight>> = {};
  for (const t of [...plan.sells, ...plan.buys]) {
    const [first, second] = t.side === 'sell' ? [previous, current] : [current, previous];
    out[t.symbol] = (first && sharesOf(first, t.symbol)) ?? (second && sharesOf(second, t.symbol)) ?? {};
  }
  return out;
}

function outcomeOf(plan: Pick<StoredPlan, 'sells' | 'buys'>): 'PLANNED' | 'NOTHING_TO_DO' {
  return plan.sells.length + plan.buys.length === 0 ? 'NOTHING_TO_DO' : 'PLANNED';
}

/** The plan's first leg (sendFirstLeg, as for every book), with its attribution. */
function send(deps: LegacyPlanDeps, input: LegacyPlanInput, plan: StoredPlan): Promise<number> {
  return sendFirstLeg(deps.queue, plan, {
    runId: input.runId,
    strategyId: LEGACY,
    file: plan.file,
    allocation: plan.allocation,
    strategyCapital: plan.capital.capital,
    plannedAt: plan.plannedAt,
    attribution: plan.attribution ?? {},
  });
}

async function recordShadows(
  deps: LegacyPlanDeps,
  input: LegacyPlanInput,
  signals: LegacySignals,
  previous: LegacySignals | undefined,
  plan: StoredPlan,
  /** The legacy book as planned (its capital transfer applied), before this run's trades. */
  book: Book,
  log: Logger,
): Promise<void> {
  const shadows = signals.strategies.filter((c) => c.flow === 'shadow' && c.status === 'SIGNALLED');
  if (shadows.length === 0) return;
  for (const c of shadows) {
    try {
      const report = await shadowReport(deps.market, {
        runId: input.runId,
        asOf: input.asOf,
        plannedAt: input.plannedAt,
        accountEquity: input.accountEquity,
        policy: input.policy,
        minTradeNotional: input.minTradeNotional,
        contribution: c,
        signals,
        previous,
        legacyBook: book,
        legacyPlan: plan,
      });
      await deps.ledger.recordShadow(report);
    } catch (e) {
      // A shadow comparison is informative: its failure never stops the merged flow's trading.
      log.warn(
        { event: 'shadow-failed', strategy: c.strategyId, err: e },
        `shadow plan of ${c.strategyId} failed: ${errorMessage(e)}`,
      );
    }
  }
}
