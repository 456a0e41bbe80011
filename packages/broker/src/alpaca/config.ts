import {
  ALPACA_DATA_URL,
  ALPACA_LIVE_URL,
  ALPACA_PAPER_URL,
  BaseUrlSchema,
  KeySourceSchema,
  LatestTradeFeedSchema,
} from '@books/alpaca';
import { deferredSchema } from '@books/core';
import * as z from 'zod';

export { ALPACA_DATA_URL, ALPACA_LIVE_URL, ALPACA_PAPER_URL };

/** Built at its first parse (deferredSchema): a function on the simulated broker never reads it. */
export const AlpacaConfigSchema = deferredSchema(() =>
  z
    .strictObject({
      /** paper or live account; picks the trading base URL unless `tradingUrl` is given. */
      mode: z.enum(['paper', 'live']).default('paper'),
      tradingUrl: BaseUrlSchema.optional(),
      dataUrl: BaseUrlSchema.default(ALPACA_DATA_URL),
      /** The latest-trades feed the account's market-data plan allows; `iex` works on the free plan. */
      feed: LatestTradeFeedSchema.default('iex'),
      keys: KeySourceSchema,
      /** Client-side budget shared by every request of one adapter instance (Alpaca: 200/min). */
      requestsPerMinute: z.number().int().positive().default(200),
      timeoutMs: z.number().int().positive().default(10_000),
      /** Attempts of an idempotent request (GET, DELETE) on 5xx, network errors and timeouts. */
      maxIdempotentAttempts: z.number().int().min(1).default(4),
      baseBackoffMs: z.number().int().positive().default(250),
      maxBackoffMs: z.number().int().positive().default(8_000),
      /** Retries after a 429, each after the broker's reset time. */
      maxRateLimitRetries: z.number().int().min(0).default(3),
      /** A 429 whose reset is further away than this is reported as RateLimited at once. */
      maxRateLimitWaitMs: z.number().int().min(0).default(65_000),
    })
    .transform((c) => ({
      ...c,
      tradingUrl: c.tradingUrl ?? (c.mode === 'live' ? ALPACA_LIVE_URL : ALPACA_PAPER_URL),
    })),
);

export type AlpacaConfigInput = z.input<typeof AlpacaConfigSchema>;
export type AlpacaConfig = z.output<typeof AlpacaConfigSchema>;

export function parseAlpacaConfig(input: unknown): AlpacaConfig {
  return AlpacaConfigSchema.parse(input);
}
