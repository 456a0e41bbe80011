/**
 * Per-symbol indicator formulas of DSL.md. Each gives the value as of bar `i` (so n = i + 1 bars),
 * NaN when the table says "error" for too little history.
 */
export type AtBar = (closes: Float64Array, i: number, w: number) => number;
/** Formulas defined by a recursion over the whole history: the full series at once. */
export type WholeHistory = (closes: Float64Array, w: number) => Float64Array;

export const currentPrice: AtBar = (closes, i) => closes[i] as number;

export const movingAveragePrice: AtBar = (closes, i, w) => {
  if (i + 1 < w) return Number.NaN;
  let sum = 0;
  for (let t = i - w + 1; t <= i; t++) sum += closes[t] as number;
  return sum / w;
};

export const stdevPrice: AtBar = (closes, i, w) => {
  if (w === 1) return Number.NaN;
  if (i + 1 < w) return 0;
  let sum = 0;
  for (let t = i - w + 1; t <= i; t++) sum += closes[t] as number;
  const mean = sum / w;
  let sq = 0;
  for (let t = i - w + 1; t <= i; t++) {
    const d = (closes[t] as number) - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / (w - 1));
};

export const maxDrawdown: AtBar = (closes, i, w) => {
  if (i + 1 < w) return 0;
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (let t = i - w + 1; t <= i; t++) {
    const p = closes[t] as number;
    if (p > peak) peak = p;
    const dd = 1 - p / peak;
    if (dd > worst) worst = dd;
  }
  return 100 * worst;
};

/** e_0 = p_0, e_t = α p_t + (1 − α) e_{t−1}, α = 2/(w+1); NaN while n < w. */
export const exponentialMovingAverage: WholeHistory = (closes, w) => {
  const out = new Float64Array(closes.length);
  const alpha = 2 / (w + 1);
  let e = 0;
  for (let t = 0; t < closes.length; t++) {
    const p = closes[t] as number;
    e = t === 0 ? p : alpha * p + (1 - alpha) * e;
    out[t] = t + 1 < w ? Number.NaN : e;
  }
  return out;
};

/** Wilder's RSI from G_0 = L_0 = 0 at the first bar; 50 while n < w. */
export const rsi: WholeHistory = (closes, w) => {
  const out = new Float64Array(closes.length);
  let g = 0;
  let l = 0;
  for (let t = 0; t < closes.length; t++) {
    if (t > 0) {
      const delta = (closes[t] as number) - (closes[t - 1] as number);
      g = (1 - 1 / w) * g + Math.max(delta, 0) / w;
      l = (1 - 1 / w) * l + Math.max(-delta, 0) / w;
    }
    if (t + 1 < w) out[t] = 50;
    else if (l === 0) out[t] = g > 0 ? 100 : 50;
    else out[t] = 100 - 100 / (1 + g / l);
  }
  return out;
};
