import type { AtBar } from './price';

export const cumulativeReturn: AtBar = (closes, i, w) => {
  if (i + 1 <= w) return 0;
  return 100 * ((closes[i] as number) / (closes[i - w] as number) - 1);
};

/** 100 · mean of the last w daily returns; 0 while n < w, error when n = w. */
export const movingAverageReturn: AtBar = (closes, i, w) => {
  const n = i + 1;
  if (n < w) return 0;
  if (n === w) return Number.NaN;
  let sum = 0;
  for (let t = i - w + 1; t <= i; t++) sum += (closes[t] as number) / (closes[t - 1] as number) - 1;
  return (100 * sum) / w;
};

/** Population stdev (ddof 0) of the last w daily returns in percent; 0 while n < w, error when n = w. */
export const stdevReturn: AtBar = (closes, i, w) => {
  const n = i + 1;
  if (n < w) return 0;
  if (n === w) return Number.NaN;
  let sum = 0;
  for (let t = i - w + 1; t <= i; t++) sum += 100 * ((closes[t] as number) / (closes[t - 1] as number) - 1);
  const mean = sum / w;
  let sq = 0;
  for (let t = i - w + 1; t <= i; t++) {
    const d = 100 * ((closes[t] as number) / (closes[t - 1] as number) - 1) - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / w);
};
