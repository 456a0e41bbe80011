import { z } from 'zod';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';
export const ALPACA_DATA_URL = 'https://data.alpaca.markets';

const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

export const AlpacaConfigSchema = z
  .strictObject({
    /** paper or live account; picks the trading base URL unless `tradingUrl` is given. */
    mode: z.enum(['paper', 'live']).default('paper'),
    tradingUrl: url.optional(),
    dataUrl: url.default(ALPACA_DATA_URL),
    feed: z.enum(['iex', 'sip', 'delayed_sip']).default('iex'),
    keys: z
      .discriminatedUnion('source', [
        z.strictObject({ source: z.literal('env') }),
        z.strictObject({ source: z.literal('ssm'), prefix: z.string().regex(/^\/[\w./-]*[^/]$/) }),
      ])
      .default({ source: 'env' }),
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
  }));

export type AlpacaConfigInput = z.input<typeof AlpacaConfigSchema>;
export type AlpacaConfig = z.output<typeof AlpacaConfigSchema>;

export function parseAlpacaConfig(input: unknown): AlpacaConfig {
  return AlpacaConfigSchema.parse(input);
}
