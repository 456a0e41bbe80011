import type { SymbolSeries } from '../market';
import type { IndicatorName } from '../operators';
import {
  type AtBar,
  currentPrice,
  exponentialMovingAverage,
  maxDrawdown,
  movingAveragePrice,
  rsi,
  stdevPrice,
  type WholeHistory,
} from './price';
import { cumulativeReturn, movingAverageReturn, stdevReturn } from './returns';

export { HISTORY_FORMULAS } from './history';

type Formula = { readonly atBar: AtBar } | { readonly whole: WholeHistory };

const FORMULAS: Readonly<Record<IndicatorName, Formula>> = {
  'current-price': { atBar: currentPrice },
  'moving-average-price': { atBar: movingAveragePrice },
  'exponential-moving-average-price': { whole: exponentialMovingAverage },
  rsi: { whole: rsi },
  'cumulative-return': { atBar: cumulativeReturn },
  'moving-average-return': { atBar: movingAverageReturn },
  'stdev-return': { atBar: stdevReturn },
  'stdev-price': { atBar: stdevPrice },
  'max-drawdown': { atBar: maxDrawdown },
};

/** One (symbol, indicator, window) series, filled lazily and kept for the session. */
class IndicatorSeries {
  private readonly values: Float64Array;
  private readonly known: Uint8Array;
  constructor(
    private readonly closes: Float64Array,
    private readonly formula: Formula,
    private readonly window: number,
  ) {
    if ('whole' in formula) {
      this.values = formula.whole(closes, window);
      this.known = new Uint8Array(0);
    } else {
      this.values = new Float64Array(closes.length);
      this.known = new Uint8Array(closes.length);
    }
  }

  at(i: number): number {
    const f = this.formula;
    if ('whole' in f) return this.values[i] as number;
    if (this.known[i] === 1) return this.values[i] as number;
    const v = f.atBar(this.closes, i, this.window);
    this.values[i] = v;
    this.known[i] = 1;
    return v;
  }
}

const NAMES: readonly string[] = Object.keys(FORMULAS);

/** The memoised series of (symbol, indicator, window). */
export function indicatorSeries(
  series: SymbolSeries,
  name: IndicatorName,
  window: number,
): { at(i: number): number } {
  const key = window * 16 + NAMES.indexOf(name);
  let s = series.indicators.get(key);
  if (s === undefined) {
    s = new IndicatorSeries(series.closes, FORMULAS[name], window);
    series.indicators.set(key, s);
  }
  return s;
}

/**
 * The indicator value for a symbol as of bar `i`: computed once per (symbol, indicator, window)
 * and index, reused across dates and blocks. NaN means "too little history" (an error).
 */
export function indicatorAt(series: SymbolSeries, name: IndicatorName, window: number, i: number): number {
  return indicatorSeries(series, name, window).at(i);
}
