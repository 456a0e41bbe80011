import type { TradingDate } from '@books/core';
import type { DailyBarRow, LatestTrade, MarketDataClient } from '../../src';

/** A MarketDataClient over scripted rows per symbol; records each `dailyBars` call. */
export class ScriptedMarketData implements MarketDataClient {
  readonly calls: { symbols: readonly string[]; start: string; end: string }[] = [];
  readonly rows = new Map<string, DailyBarRow[]>();
  /** Symbols whose presence in a request makes it fail. */
  readonly failing = new Set<string>();
  /** Thrown by every request while set. */
  outage: Error | undefined;
  /** Serve rows dated after `end` too, as a misbehaving source would. */
  serveBeyondEnd = false;

  async dailyBars(
    symbols: readonly string[],
    start: TradingDate,
    end: TradingDate,
  ): Promise<ReadonlyMap<string, readonly DailyBarRow[]>> {
    this.calls.push({ symbols: [...symbols], start, end });
    if (this.outage) throw this.outage;
    const bad = symbols.find((s) => this.failing.has(s));
    if (bad !== undefined) throw new Error(`malformed payload at bars.${bad}[0].c`);
    return new Map(
      symbols.map((s) => [
        s,
        (this.rows.get(s) ?? []).filter((r) => r.date >= start && (this.serveBeyondEnd || r.date <= end)),
      ]),
    );
  }

  async latestTrades(): Promise<ReadonlyMap<string, LatestTrade>> {
    return new Map();
  }
}
