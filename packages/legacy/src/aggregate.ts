import { Decimal, type RunId, type StrategyId, Symbol, type TradingDate, Weight } from '@books/core';
import type { LegacyContribution, LegacySignals } from '@books/ledger-client';
import { compareText, WEIGHT_SUM_TOLERANCE } from '@books/portfolio';

/** A strategy of the merged flow, as the run recorded it. */
export interface MergedFlowStrategy {
  readonly strategyId: StrategyId;
  readonly flow: 'legacy' | 'shadow';
  readonly allocation: Weight;
}

/** What a worker of the merged flow returned (or why it returned nothing usable). */
export type WorkerSignal =
  | {
      readonly strategyId: StrategyId;
      readonly outcome: 'SIGNALLED';
      readonly weights: ReadonlyMap<Symbol, Weight>;
      readonly rebalanceThreshold?: Weight;
    }
  | { readonly strategyId: StrategyId; readonly outcome: 'FAILED'; readonly reason: string };

export interface AggregateInput {
  readonly runId: RunId;
  readonly tradingDate: TradingDate;
  readonly recordedAt: string;
  /** Every strategy of the merged flow in the run, whether or not its worker ran. */
  readonly strategies: readonly MergedFlowStrategy[];
  readonly signals: ReadonlyMap<StrategyId, WorkerSignal>;
  /** The merged signals of the previous legacy run: what a failed strategy keeps. */
  readonly previous?: LegacySignals;
}

/**
 * The aggregator: merges the partial signals of the merged flow by summing weight × allocation
 * per symbol, keeping each strategy's contribution.
 *
 * Contract:
 * - A contribution is recomputed here from the strategy's weights and its configured allocation,
 *   never taken from the worker, and weights must be ≥ 0 and sum to ≤ 1 (with the planner's
 *   tolerance): so Σ contributions of a strategy ≤ its allocation, and Σ merged ≤ Σ allocations.
 * - A strategy whose worker failed, was skipped, or sent an invalid signal is recorded with the
 *   reason and HOLDS its previous contribution (re-scaled to its current allocation) when the
 *   previous run had one: the merged portfolio never sells a strategy's share because its worker
 *   failed. With no previous contribution it is FAILED and contributes nothing.
 */
export function aggregateSignals(input: AggregateInput): LegacySignals {
  const strategies = [...input.strategies].sort((a, b) => compareText(a.strategyId, b.strategyId));
  const contributions: LegacyContribution[] = strategies.map((s) => contributionOf(s, input));
  const merged = new Map<string, Weight>();
  for (const c of contributions)
    for (const [symbol, w] of Object.entries(c.contributions))
      merged.set(symbol, (merged.get(symbol) ?? Weight.ZERO).plus(w));
  return {
    runId: input.runId,
    tradingDate: input.tradingDate,
    recordedAt: input.recordedAt,
    legacyAllocation: Weight.sum(strategies.map((s) => s.allocation)),
    merged: Object.fromEntries([...merged].sort(([a], [b]) => compareText(a, b))),
    strategies: contributions,
  };
}

function contributionOf(s: MergedFlowStrategy, input: AggregateInput): LegacyContribution {
  const signal = input.signals.get(s.strategyId);
  const base = { strategyId: s.strategyId, flow: s.flow, allocation: s.allocation };
  let reason = signal?.outcome === 'FAILED' ? signal.reason : 'no signal from its worker this run';
  if (signal?.outcome === 'SIGNALLED') {
    const problem = invalidWeights(signal.weights);
    if (problem === undefined)
      return {
        ...base,
        status: 'SIGNALLED',
        weights: textMap(signal.weights),
        contributions: textMap(scaled(signal.weights, s.allocation)),
        ...(signal.rebalanceThreshold ? { rebalanceThreshold: signal.rebalanceThreshold } : {}),
      };
    reason = `invalid signal: ${problem}`;
  }
  const earlier = input.previous?.strategies.find(
    (c) => c.strategyId === s.strategyId && c.status !== 'FAILED',
  );
  if (earlier && input.previous) {
    const weights = new Map(Object.entries(earlier.weights).map(([k, w]) => [Symbol(k), w]));
    return {
      ...base,
      status: 'HELD',
      weights: textMap(weights),
      contributions: textMap(scaled(weights, s.allocation)),
      ...(earlier.rebalanceThreshold ? { rebalanceThreshold: earlier.rebalanceThreshold } : {}),
      reason,
      heldFromRunId: earlier.heldFromRunId ?? input.previous.runId,
    };
  }
  return { ...base, status: 'FAILED', weights: {}, contributions: {}, reason };
}

function invalidWeights(weights: ReadonlyMap<Symbol, Weight>): string | undefined {
  const negative = [...weights].filter(([, w]) => w.isNegative()).map(([s]) => s);
  if (negative.length > 0) return `negative weight for ${negative.join(', ')}`;
  const total = Weight.sum(weights.values());
  if (total.value.minus(1).gt(WEIGHT_SUM_TOLERANCE.value)) return `weights sum to ${total} (> 1)`;
  return undefined;
}

function scaled(weights: ReadonlyMap<Symbol, Weight>, allocation: Weight): Map<Symbol, Weight> {
  const out = new Map<Symbol, Weight>();
  for (const [symbol, w] of weights) {
    const c = w.times(allocation.value);
    if (!c.isZero()) out.set(symbol, c);
  }
  return out;
}

function textMap(m: ReadonlyMap<Symbol, Weight>): Record<string, Weight> {
  return Object.fromEntries([...m].sort(([a], [b]) => compareText(a, b)));
}

/** Σ contributions of one symbol's holders, as each holder's share of it (shares sum to 1). */
export function sharesOf(signals: LegacySignals, symbol: Symbol): Record<string, Weight> | undefined {
  const total = signals.merged[symbol];
  if (total === undefined || !total.isPositive()) return undefined;
  const shares: Record<string, Weight> = {};
  for (const c of signals.strategies) {
    const part = c.contributions[symbol];
    if (part?.isPositive())
      shares[c.strategyId] = Weight.of(
        part.value.dividedBy(total.value).toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN),
      );
  }
  return shares;
}
