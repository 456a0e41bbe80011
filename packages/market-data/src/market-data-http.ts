import type { Clock, Logger } from '@books/core';
import type { KeyHeaders } from './alpaca-data-keys';
import { MarketDataRateLimited, MarketDataRequestError, MarketDataUnavailable } from './market-data-errors';

/** Waits `ms` milliseconds; injected so tests need not wait. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface RetryPolicy {
  readonly timeoutMs: number;
  /** Attempts of one GET on 5xx, network errors and timeouts. */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Retries after a 429, each after the reset the server names. */
  readonly maxRateLimitRetries: number;
  /** A 429 whose reset is further away than this fails at once. */
  readonly maxRateLimitWaitMs: number;
}

export interface MarketDataHttpDeps {
  readonly keys: () => Promise<KeyHeaders>;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** In [0, 1): the jitter of backoffs. */
  readonly random: () => number;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

/**
 * GETs one URL of the data API and returns the body text of its 2xx answer.
 * - 429: waits until X-RateLimit-Reset (epoch seconds) or Retry-After (seconds), then resends;
 *   gives up with MarketDataRateLimited after `maxRateLimitRetries` or when the wait is too long.
 * - 5xx, network error, timeout: resent with exponential backoff and jitter, at most
 *   `maxAttempts` in all, then MarketDataUnavailable.
 * - other 4xx: MarketDataRequestError at once.
 * Only the path, status and attempt are logged: never headers, so never the keys.
 */
export async function getText(url: URL, policy: RetryPolicy, deps: MarketDataHttpDeps): Promise<string> {
  const endpoint = `GET ${url.pathname}`;
  const fetchFn = deps.fetch ?? fetch;
  let failures = 0;
  let rateLimited = 0;
  for (;;) {
    const keys = await deps.keys();
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(url, {
        method: 'GET',
        headers: { ...keys.headers(), accept: 'application/json' },
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      text = await response.text();
    } catch (e) {
      failures++;
      const reason = isTimeout(e)
        ? `timed out after ${policy.timeoutMs} ms`
        : `network error: ${describe(e)}`;
      if (failures < policy.maxAttempts) {
        deps.logger.warn({ endpoint, attempt: failures, reason }, 'market data request failed; retrying');
        await deps.sleep(backoffMs(policy, failures, deps.random));
        continue;
      }
      throw new MarketDataUnavailable(
        `${endpoint} ${reason}`,
        { endpoint, attempts: failures },
        { cause: e },
      );
    }

    const status = response.status;
    if (status >= 200 && status < 300) return text;
    if (status === 429) {
      const waitMs = rateLimitWaitMs(response.headers, deps.clock, () =>
        backoffMs(policy, rateLimited + 1, deps.random),
      );
      if (rateLimited >= policy.maxRateLimitRetries || waitMs > policy.maxRateLimitWaitMs) {
        throw new MarketDataRateLimited(
          `${endpoint} rate limited (HTTP 429)`,
          new Date(deps.clock.now().getTime() + waitMs),
          { endpoint, attempts: rateLimited + 1 },
        );
      }
      rateLimited++;
      deps.logger.warn({ endpoint, waitMs, attempt: rateLimited }, 'market data rate limit (429); waiting');
      await deps.sleep(waitMs);
      continue;
    }
    if (status >= 500) {
      failures++;
      if (failures < policy.maxAttempts) {
        deps.logger.warn({ endpoint, status, attempt: failures }, 'market data 5xx; retrying');
        await deps.sleep(backoffMs(policy, failures, deps.random));
        continue;
      }
      throw new MarketDataUnavailable(`${endpoint} failed with HTTP ${status}: ${text.slice(0, 200)}`, {
        endpoint,
        status,
        attempts: failures,
      });
    }
    throw new MarketDataRequestError(
      `${endpoint} rejected with HTTP ${status}: ${text.slice(0, 200)}`,
      status,
      {
        endpoint,
      },
    );
  }
}

/** Exponential backoff with jitter: base × 2^(n−1), capped, scaled into [½, 1). */
function backoffMs(policy: RetryPolicy, failures: number, random: () => number): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (failures - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

function rateLimitWaitMs(headers: Headers, clock: Clock, fallback: () => number): number {
  const now = clock.now().getTime();
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  return fallback();
}

// Duck-typed: the DOMException thrown by fetch may come from another realm (jest, vm contexts).
function isTimeout(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('name' in e)) return false;
  return e.name === 'TimeoutError' || e.name === 'AbortError';
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message;
}
