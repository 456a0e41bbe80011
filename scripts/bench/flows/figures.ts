/** The side-by-side figures of `pnpm bench flows` from what was measured and counted. Pure. */
import { Decimal, Money } from '../../../packages/core/src';
import { type Cost, costOf, type Usage } from './cost-model';

/** Seed targets: per-strategy latency ≤ legacy + 10%, per-strategy cost ≤ 1.2 × legacy. */
export const LATENCY_TOLERANCE = new Decimal('1.10');
export const COST_TOLERANCE = new Decimal('1.2');

export interface LatencyStats {
  readonly runs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  readonly totalMs: number;
}

export function latencyStats(ms: readonly number[]): LatencyStats {
  const sorted = [...ms].sort((a, b) => a - b);
  const totalMs = ms.reduce((a, b) => a + b, 0);
  return {
    runs: ms.length,
    meanMs: ms.length === 0 ? 0 : totalMs / ms.length,
    p50Ms: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    maxMs: sorted[sorted.length - 1] ?? 0,
    totalMs,
  };
}

export interface FlowFigures {
  readonly latency: LatencyStats;
  readonly usage: Usage;
  /** Cost of all the runs. */
  readonly cost: Cost;
  /** Cost of one run (all ÷ runs). */
  readonly costPerRun: Decimal;
}

export function flowFigures(latenciesMs: readonly number[], usage: Usage): FlowFigures {
  const cost = costOf(usage);
  return {
    latency: latencyStats(latenciesMs),
    usage,
    cost,
    costPerRun: latenciesMs.length === 0 ? new Decimal(0) : cost.total.dividedBy(latenciesMs.length),
  };
}

export interface Targets {
  /** per-strategy mean latency ÷ legacy mean latency. */
  readonly latencyRatio: Decimal;
  readonly latencyMet: boolean;
  readonly costRatio: Decimal;
  readonly costMet: boolean;
}

export function targets(legacy: FlowFigures, perStrategy: FlowFigures): Targets {
  const ratio = (a: Decimal, b: Decimal) => (b.isZero() ? new Decimal(0) : a.dividedBy(b));
  const latencyRatio = ratio(new Decimal(perStrategy.latency.meanMs), new Decimal(legacy.latency.meanMs));
  const costRatio = ratio(perStrategy.costPerRun, legacy.costPerRun);
  return {
    latencyRatio,
    latencyMet: latencyRatio.lte(LATENCY_TOLERANCE),
    costRatio,
    costMet: costRatio.lte(COST_TOLERANCE),
  };
}

export interface PnlRow {
  readonly strategyId: string;
  /** Realized + unrealized of its own book (per-strategy flow). */
  readonly perStrategy: Money;
  /** Its attributed share of the LEGACY book's realized + unrealized (legacy flow). */
  readonly attributed: Money;
  readonly difference: Money;
}

export function pnlRows(
  perStrategy: ReadonlyMap<string, Money>,
  attributed: ReadonlyMap<string, Money>,
): PnlRow[] {
  const ids = [...new Set([...perStrategy.keys(), ...attributed.keys()])].sort();
  return ids.map((strategyId) => {
    const own = perStrategy.get(strategyId) ?? Money.ZERO;
    const share = attributed.get(strategyId) ?? Money.ZERO;
    return { strategyId, perStrategy: own, attributed: share, difference: own.minus(share) };
  });
}
