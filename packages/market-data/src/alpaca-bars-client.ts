import {
  type Clock,
  canonical,
  Decimal,
  type Logger,
  marketDateOf,
  Price,
  type TradingDate,
} from '@books/core';
import { z } from 'zod';
import type { KeyHeaders } from './alpaca-data-keys';
import { parseJsonNumbersAsText } from './json-numbers-as-text';
import type { DailyBarRow, LatestTrade, MarketDataClient } from './market-data-client';
import { MalformedMarketData } from './market-data-errors';
import { getText, type RetryPolicy, realSleep, type Sleep } from './market-data-http';

export const ALPACA_DATA_URL = 'https://data.alpaca.markets';

export const AlpacaDataConfigSchema = z.strictObject({
  dataUrl: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .default(ALPACA_DATA_URL),
  /** iex is free; sip (all exchanges) needs a subscription for the last 15 minutes. */
  feed: z.enum(['iex', 'sip', 'delayed_sip']).default('iex'),
  /** Corporate-action adjustment of bars: `all` = splits, dividends and spin-offs. */
  adjustment: z.enum(['raw', 'split', 'dividend', 'all']).default('all'),
  /** Bars per page (Alpaca: at most 10000, counted across all symbols of the request). */
  pageLimit: z.number().int().min(1).max(10_000).default(10_000),
  /** Symbols per bars request; more are split into several requests. */
  symbolsPerRequest: z.number().int().min(1).max(1000).default(100),
  timeoutMs: z.number().int().positive().default(15_000),
  maxAttempts: z.number().int().min(1).default(4),
  baseBackoffMs: z.number().int().positive().default(250),
  maxBackoffMs: z.number().int().positive().default(8_000),
  maxRateLimitRetries: z.number().int().min(0).default(3),
  maxRateLimitWaitMs: z.number().int().min(0).default(65_000),
});
export type AlpacaDataConfigInput = z.input<typeof AlpacaDataConfigSchema>;
export type AlpacaDataConfig = z.output<typeof AlpacaDataConfigSchema>;

export interface AlpacaBarsClientDeps {
  readonly keys: () => Promise<KeyHeaders>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
}

/** Alpaca writes a share class with a dot: BRK/B is requested and answered as BRK.B. */
export function alpacaSymbolOf(symbol: string): string {
  return symbol.toUpperCase().replace(/\//g, '.');
}

// After parseJsonNumbersAsText every JSON number is a string holding its source text.
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NumberText = z
  .string({ error: 'expected a number' })
  .regex(JSON_NUMBER, 'expected a number')
  .transform((t) => canonical(new Decimal(t)));
const Instant = z
  .string({ error: 'expected an RFC 3339 timestamp' })
  .refine(
    (t) => /^\d{4}-\d{2}-\d{2}T/.test(t) && !Number.isNaN(Date.parse(t)),
    'expected an RFC 3339 timestamp',
  )
  .transform((t) => new Date(t));

const BarSchema = z.object({
  t: Instant,
  o: NumberText,
  h: NumberText,
  l: NumberText,
  c: NumberText,
  v: NumberText,
});
const BarsPageSchema = z.object({
  // Alpaca omits symbols without bars; some answers carry `null` for an empty page.
  bars: z
    .record(z.string(), z.array(BarSchema))
    .nullable()
    .transform((b) => b ?? {}),
  next_page_token: z.string().nullish(),
});
const TradeSchema = z.object({ t: Instant, p: NumberText });
const LatestTradesSchema = z.object({
  trades: z
    .record(z.string(), TradeSchema)
    .nullable()
    .transform((t) => t ?? {}),
});

/**
 * The Alpaca Market Data v2 client: daily bars (`GET /v2/stocks/bars`, paginated by
 * `next_page_token`) and latest trades (`GET /v2/stocks/trades/latest`). Numbers are read as exact
 * text (never float64); a bar's date is the New York date of its timestamp (daily bars are
 * stamped at midnight New York time).
 */
export class AlpacaBarsClient implements MarketDataClient {
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(
    private readonly config: AlpacaDataConfig,
    private readonly deps: AlpacaBarsClientDeps,
  ) {
    this.policy = config;
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
  }

  async dailyBars(
    symbols: readonly string[],
    start: TradingDate,
    end: TradingDate,
  ): Promise<ReadonlyMap<string, readonly DailyBarRow[]>> {
    const result = new Map<string, DailyBarRow[]>();
    const unique = [...new Set(symbols)];
    for (let k = 0; k < unique.length; k += this.config.symbolsPerRequest) {
      const chunk = unique.slice(k, k + this.config.symbolsPerRequest);
      for (const [symbol, rows] of await this.barsOf(chunk, start, end)) result.set(symbol, rows);
    }
    return result;
  }

  async latestTrades(symbols: readonly string[]): Promise<ReadonlyMap<string, LatestTrade>> {
    const ours = oursByAlpaca(symbols);
    const result = new Map<string, LatestTrade>();
    if (ours.size === 0) return result;
    const url = new URL(`${this.config.dataUrl}/v2/stocks/trades/latest`);
    url.searchParams.set('symbols', [...ours.keys()].join(','));
    url.searchParams.set('feed', this.config.feed);
    const page = this.parse(LatestTradesSchema, await this.get(url), 'GET /v2/stocks/trades/latest', ours);
    for (const [alpacaSymbol, trade] of Object.entries(page.trades)) {
      const symbol = ours.get(alpacaSymbol);
      if (symbol === undefined) continue;
      result.set(symbol, { symbol, price: Price.parse(trade.p), priceText: trade.p, at: trade.t });
    }
    return result;
  }

  private async barsOf(
    symbols: readonly string[],
    start: TradingDate,
    end: TradingDate,
  ): Promise<Map<string, DailyBarRow[]>> {
    const ours = oursByAlpaca(symbols);
    const result = new Map<string, DailyBarRow[]>(symbols.map((s) => [s, []]));
    const endpoint = 'GET /v2/stocks/bars';
    const seenTokens = new Set<string>();
    let token: string | undefined;
    do {
      const url = new URL(`${this.config.dataUrl}/v2/stocks/bars`);
      url.searchParams.set('symbols', [...ours.keys()].join(','));
      url.searchParams.set('timeframe', '1Day');
      url.searchParams.set('start', start);
      url.searchParams.set('end', end);
      url.searchParams.set('adjustment', this.config.adjustment);
      url.searchParams.set('feed', this.config.feed);
      url.searchParams.set('limit', String(this.config.pageLimit));
      if (token !== undefined) url.searchParams.set('page_token', token);
      const page = this.parse(BarsPageSchema, await this.get(url), endpoint, ours);
      for (const [alpacaSymbol, bars] of Object.entries(page.bars)) {
        const rows = result.get(ours.get(alpacaSymbol) ?? '');
        if (rows === undefined) continue;
        for (const b of bars)
          rows.push({ date: marketDateOf(b.t), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v });
      }
      token = page.next_page_token ?? undefined;
      if (token !== undefined) {
        if (seenTokens.has(token))
          throw new MalformedMarketData(
            endpoint,
            'next_page_token',
            undefined,
            'the same page token came back twice',
          );
        seenTokens.add(token);
      }
    } while (token !== undefined);
    return result;
  }

  private get(url: URL): Promise<string> {
    return getText(url, this.policy, {
      keys: this.deps.keys,
      clock: this.deps.clock,
      sleep: this.sleep,
      random: this.random,
      logger: this.deps.logger,
      ...(this.deps.fetch === undefined ? {} : { fetch: this.deps.fetch }),
    });
  }

  private parse<T>(
    schema: z.ZodType<T>,
    text: string,
    endpoint: string,
    ours: ReadonlyMap<string, string>,
  ): T {
    let raw: unknown;
    try {
      raw = parseJsonNumbersAsText(text);
    } catch (e) {
      throw new MalformedMarketData(endpoint, '(body)', undefined, 'not JSON', { cause: e });
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const keyed = path[0] === 'bars' || path[0] === 'trades' ? path[1] : undefined;
    const symbol = typeof keyed === 'string' ? (ours.get(keyed) ?? keyed) : undefined;
    throw new MalformedMarketData(
      endpoint,
      fieldOf(path),
      symbol,
      issue?.message ?? 'does not fit the schema',
      {
        cause: parsed.error,
      },
    );
  }
}

/** Alpaca's symbol → ours, for the symbols of one request. */
function oursByAlpaca(symbols: readonly string[]): Map<string, string> {
  return new Map(symbols.map((s) => [alpacaSymbolOf(s), s]));
}

/** A zod path as a field reference: `bars.SPY[3].c`. */
function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
