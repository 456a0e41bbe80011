import type { Price, Symbol } from '@books/core';
import type { Asset } from '../port';

/** The price the paper broker trades at: e.g. the simulated day's close from the bar store. */
export interface PriceSource {
  latestPrice(symbol: Symbol, at: Date): Promise<Price | undefined>;
}

/** What the paper broker knows about an asset; undefined for a symbol it does not know. */
export interface AssetSource {
  asset(symbol: Symbol): Promise<Asset | undefined>;
}

/** A price source over a fixed table; for tests and fixed scenarios. */
export function staticPrices(prices: ReadonlyMap<Symbol, Price>): PriceSource {
  return { latestPrice: async (symbol) => prices.get(symbol) };
}

/**
 * Assets from a list; a symbol not in the list is described by `otherwise` (e.g. every symbol
 * with bars is a tradable, fractionable asset) or unknown when `otherwise` is absent.
 */
export function staticAssets(
  assets: readonly Asset[],
  otherwise?: { readonly tradable: boolean; readonly fractionable: boolean },
): AssetSource {
  const bySymbol = new Map(assets.map((a) => [a.symbol, a]));
  return {
    asset: async (symbol) =>
      bySymbol.get(symbol) ?? (otherwise ? { symbol, status: 'active', ...otherwise } : undefined),
  };
}
