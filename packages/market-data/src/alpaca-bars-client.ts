import {
  ALPACA_DATA_URL,
  AlpacaHttp,
  AlpacaRateLimited,
  AlpacaUnavailable,
  BaseUrlSchema,
  DAILY_BARS_FEED,
  JsonNumber,
  type KeyProvider,
  LatestTradeFeedSchema,
  parseJsonLossless,
  type RequestBudget,
  realSleep,
  requestedByAlpacaSymbol,
  type Sleep,
} from '@books/alpaca';
import { type Clock, type Logger, marketDateOf, Price, type TradingDate } from '@books/core';
import * as z from 'zod';
import type { DailyBarRow, LatestTrade, MarketDataClient } from './market-data-client';
import {
  MalformedMarketData,
  MarketDataRateLimited,
  MarketDataRequestError,
  MarketDataUnavailable,
} from './market-data-errors';

export { ALPACA_DATA_URL };

export const AlpacaDataConfigSchema = z.strictObject({
  dataUrl: BaseUrlSchema.default(ALPACA_DATA_URL),
  /**
   * The feed of latest trades, as the account's market-data plan allows (`iex` works on the free
   * plan). Daily bars always come from SIP, free for bars older than 15 minutes.
   */
  latestTradesFeed: LatestTradeFeedSchema.default('iex'),
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
  readonly keys: KeyProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /**
   * A request budget to draw from. Alpaca counts the Market Data API apart from the Trading API
   * (whose 200/min the broker's shared budget guards), so none is needed by default: one refresh
   * at a time (reserved concurrency 1) sends its requests one after another, and a 429 still
   * waits for Alpaca's reset.
   */
  readonly budget?: RequestBudget;
}

// Bodies are read with parseJsonLossless: a JSON number arrives as its exact source text.
const NumberText = z
  .instanceof(JsonNumber, { error: 'expected a number' })
  .transform((n) => n.toDecimalString());
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
  private readonly http: AlpacaHttp;

  constructor(
    private readonly config: AlpacaDataConfig,
    deps: AlpacaBarsClientDeps,
  ) {
    this.http = new AlpacaHttp(
      { ...config, maxIdempotentAttempts: config.maxAttempts },
      {
        keys: deps.keys,
        clock: deps.clock,
        sleep: deps.sleep ?? realSleep,
        random: deps.random ?? Math.random,
        logger: deps.logger,
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        ...(deps.budget === undefined ? {} : { budget: deps.budget }),
      },
      'market data',
    );
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
    const ours = requestedByAlpacaSymbol(symbols);
    const result = new Map<string, LatestTrade>();
    if (ours.size === 0) return result;
    const url = new URL(`${this.config.dataUrl}/v2/stocks/trades/latest`);
    url.searchParams.set('symbols', [...ours.keys()].join(','));
    url.searchParams.set('feed', this.config.latestTradesFeed);
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
    const ours = requestedByAlpacaSymbol(symbols);
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
      url.searchParams.set('feed', DAILY_BARS_FEED);
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

  /**
   * The body of a 2xx answer. The shared transport retries 5xx and 429; here its failures become
   * this port's errors, and any other 4xx is a MarketDataRequestError.
   */
  private async get(url: URL): Promise<string> {
    const endpoint = `GET ${url.pathname}`;
    let response: { status: number; text: string };
    try {
      response = await this.http.request('GET', url.toString(), { mode: 'idempotent' });
    } catch (e) {
      if (e instanceof AlpacaUnavailable) throw new MarketDataUnavailable(e.message, e.context, { cause: e });
      if (e instanceof AlpacaRateLimited) throw new MarketDataRateLimited(e.message, e.retryAfter, e.context);
      throw e;
    }
    if (response.status >= 200 && response.status < 300) return response.text;
    throw new MarketDataRequestError(
      `${endpoint} rejected with HTTP ${response.status}: ${response.text.slice(0, 200)}`,
      response.status,
      { endpoint },
    );
  }

  private parse<T>(
    schema: z.ZodType<T>,
    text: string,
    endpoint: string,
    ours: ReadonlyMap<string, string>,
  ): T {
    let raw: unknown;
    try {
      raw = parseJsonLossless(text);
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

/** A zod path as a field reference: `bars.SPY[3].c`. */
function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
