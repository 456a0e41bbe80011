import type { IndicatorName } from '../operators';

/**
 * Block-mode formulas (DSL.md "filter", block mode): the metric of a block from its w daily
 * returns R (fractions). `undefined` for metrics with no history formula.
 */
export type HistoryFormula = (returns: readonly number[], w: number) => number;

const movingAverageReturn: HistoryFormula = (r) => {
  let sum = 0;
  for (const x of r) sum += x;
  return (100 * sum) / r.length;
};

const cumulativeReturn: HistoryFormula = (r) => {
  let growth = 1;
  for (const x of r) growth *= 1 + x;
  return 100 * (growth - 1);
};

const stdevReturn: HistoryFormula = (r) => {
  let sum = 0;
  for (const x of r) sum += 100 * x;
  const mean = sum / r.length;
  let sq = 0;
  for (const x of r) {
    const d = 100 * x - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / r.length);
};

const maxDrawdown: HistoryFormula = (r) => {
  let equity = 1;
  let peak = 1;
  let worst = 0;
  for (const x of r) {
    equity *= 1 + x;
    if (equity > peak) peak = equity;
    const dd = (peak - equity) / peak;
    if (dd > worst) worst = dd;
  }
  return 100 * worst;
};

/** RSI of synthetic prices P_0 = 100, P_i = P_{i−1}(1 + R_i), seeded with G_1 = g_1, L_1 = l_1. */
const rsi: HistoryFormula = (r, w) => {
  let price = 100;
  let g = 0;
  let l = 0;
  r.forEach((x, k) => {
    const next = price * (1 + x);
    const delta = next - price;
    price = next;
    const gain = Math.max(delta, 0);
    const loss = Math.max(-delta, 0);
    if (k === 0) {
      g = gain;
      l = loss;
    } else {
      g = (1 - 1 / w) * g + gain / w;
      l = (1 - 1 / w) * l + loss / w;
    }
  });
  if (l === 0) return 100;
  return 100 - 100 / (1 + g / l);
};

export const HISTORY_FORMULAS: Readonly<Record<IndicatorName, HistoryFormula | undefined>> = {
  'current-price': undefined,
  'moving-average-price': undefined,
  'exponential-moving-average-price': undefined,
  'stdev-price': undefined,
  rsi,
  'cumulative-return': cumulativeReturn,
  'moving-average-return': movingAverageReturn,
  'stdev-return': stdevReturn,
  'max-drawdown': maxDrawdown,
};
