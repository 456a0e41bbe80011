import type { Broker } from '@books/broker';
import type { Price, Symbol, TradingDate } from '@books/core';
import type { AssetInfo } from '@books/portfolio';

/** Prices and asset facts for valuation and sizing: what the strategy worker and the legacy flow plan with. */
export interface MarketPrices {
  /** Prices for valuation and sizing; a symbol without a price is absent from the map. */
  prices(symbols: readonly Symbol[], asOf: TradingDate): Promise<ReadonlyMap<Symbol, Price>>;
  assets(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, AssetInfo>>;
}

/**
 * Prices and asset facts from the broker: latest trades for valuation and sizing, and whether each
 * asset is fractionable (asked once per symbol per process).
 */
export class BrokerMarket implements MarketPrices {
  private readonly assetCache = new Map<Symbol, Promise<AssetInfo>>();

  constructor(private readonly broker: Broker) {}

  async prices(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, Price>> {
    if (symbols.length === 0) return new Map();
    const latest = await this.broker.getLatestPrices(symbols);
    return new Map([...latest].map(([symbol, quote]) => [symbol, quote.price]));
  }

  async assets(symbols: readonly Symbol[]): Promise<ReadonlyMap<Symbol, AssetInfo>> {
    const entries = await Promise.all(
      symbols.map(async (symbol): Promise<[Symbol, AssetInfo]> => {
        let info = this.assetCache.get(symbol);
        if (!info) {
          info = this.broker.getAsset(symbol).then((a) => ({ fractionable: a.fractionable }));
          info.catch(() => this.assetCache.delete(symbol));
          this.assetCache.set(symbol, info);
        }
        return [symbol, await info];
      }),
    );
    return new Map(entries);
  }
}
