import { deferredSchema } from '@books/core';
import * as z from 'zod';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';
export const ALPACA_DATA_URL = 'https://data.alpaca.markets';

/** A base URL without a trailing slash; built at its first parse (deferredSchema). */
export const BaseUrlSchema = deferredSchema(() =>
  z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
);

/**
 * Feeds of `GET /v2/stocks/trades/latest` the project may use, by what the account's market-data
 * plan allows: `iex` works on every plan (the free one included), `sip` needs the paid plan,
 * `delayed_sip` is SIP 15 minutes late. (Alpaca also lists otc, boats and overnight.)
 */
export const LatestTradeFeedSchema = z.enum(['iex', 'sip', 'delayed_sip']);
export type LatestTradeFeed = z.output<typeof LatestTradeFeedSchema>;

/**
 * The feed of daily bars (`GET /v2/stocks/bars` accepts only iex, otc, sip and boats): always `sip`,
 * all US exchanges. SIP bars older than 15 minutes are free on every plan, and the project only
 * reads completed days.
 */
export const DAILY_BARS_FEED = 'sip';

/** How one request is retried; every adapter of Alpaca uses the same rules (see `AlpacaHttp`). */
export interface HttpPolicy {
  readonly timeoutMs: number;
  /** Attempts of an idempotent request (GET, DELETE) on 5xx, network errors and timeouts. */
  readonly maxIdempotentAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Retries after a 429, each after the reset time Alpaca names. */
  readonly maxRateLimitRetries: number;
  /** A 429 whose reset is further away than this fails at once. */
  readonly maxRateLimitWaitMs: number;
}
