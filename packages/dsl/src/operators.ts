/** Indicator names of DSL.md, with their default windows. */
export const INDICATORS = {
  'current-price': { defaultWindow: 1 },
  'moving-average-price': { defaultWindow: 200 },
  'exponential-moving-average-price': { defaultWindow: 12 },
  rsi: { defaultWindow: 14 },
  'cumulative-return': { defaultWindow: 60 },
  'moving-average-return': { defaultWindow: 21 },
  'stdev-return': { defaultWindow: 6 },
  'stdev-price': { defaultWindow: 6 },
  'max-drawdown': { defaultWindow: 60 },
} as const;

export type IndicatorName = keyof typeof INDICATORS;

/** rsi used as a `filter` metric without a parameter map. */
export const RSI_FILTER_DEFAULT_WINDOW = 10;

export function isIndicator(name: string): name is IndicatorName {
  return Object.hasOwn(INDICATORS, name);
}

export const PORTFOLIO_OPERATORS = [
  'defsymphony',
  'asset',
  'group',
  'weight-equal',
  'weight-specified',
  'weight-inverse-volatility',
  'filter',
  'if',
] as const;

export const COMPARISONS = ['>', '<', '>=', '<='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const SELECTORS = ['select-top', 'select-bottom'] as const;

export function isComparison(name: string): name is Comparison {
  return (COMPARISONS as readonly string[]).includes(name);
}

export function isKnownOperator(name: string): boolean {
  return (
    isIndicator(name) ||
    isComparison(name) ||
    (PORTFOLIO_OPERATORS as readonly string[]).includes(name) ||
    (SELECTORS as readonly string[]).includes(name)
  );
}
