import type { Clock, Logger } from '@books/core';
import { exhaustedUntil } from './budget-window';
import type { HttpPolicy } from './config';
import { AlpacaRateLimited, AlpacaUnavailable } from './errors';
import type { KeyProvider } from './keys';
import type { RequestBudget } from './request-budget';
import type { Sleep } from './sleep';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body as received; read it with `parseJsonLossless` (never `JSON.parse`: prices). */
  readonly text: string;
}

export interface AlpacaHttpDeps {
  readonly keys: KeyProvider;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** In [0, 1): the jitter of backoffs. */
  readonly random: () => number;
  readonly logger: Logger;
  /** The account's request budget, when the caller shares one (the trading API's 200/min). */
  readonly budget?: RequestBudget;
  /** Sent as User-Agent: names the calling function (for the broker's and a fake's request logs). */
  readonly userAgent?: string;
  readonly fetch?: typeof fetch;
}

export type RetryMode =
  /** GET, DELETE: retried with backoff on 5xx, network errors and timeouts. */
  | 'idempotent'
  /** POST /v2/orders: never resent after the request may have reached the broker. */
  | 'never-resend';

/**
 * Sends one logical request to Alpaca (trading or market data) and returns its final response
 * (2xx and 4xx alike), or throws AlpacaRateLimited / AlpacaUnavailable.
 *
 * - Every attempt first takes one request from the shared request budget, when there is one,
 *   waiting at most `maxRateLimitWaitMs` for it (else AlpacaRateLimited).
 * - Every response's X-RateLimit-Remaining / X-RateLimit-Reset are followed: Remaining at its floor
 *   stops the whole budget (every instance) until Reset.
 * - 429 (any method, POST included): Alpaca rejected the request before acting on it, so the
 *   same request is sent again after X-RateLimit-Reset (epoch seconds) or Retry-After (seconds or
 *   an HTTP date), at most `maxRateLimitRetries` times and never waiting longer than
 *   `maxRateLimitWaitMs`; the budget is emptied until then.
 * - 5xx, network error, timeout: retried with exponential backoff and jitter in `idempotent` mode;
 *   in `never-resend` mode thrown at once as AlpacaUnavailable — Alpaca may or may not have
 *   acted, and only a lookup (by client order id) can tell.
 * Only the endpoint, status and attempt are logged: never headers, so never the keys.
 */
export class AlpacaHttp {
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly policy: HttpPolicy,
    private readonly deps: AlpacaHttpDeps,
    /** Log messages name the API: "broker" or "market data". */
    private readonly api = 'alpaca',
  ) {
    this.fetchFn = deps.fetch ?? fetch;
  }

  async request(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { mode: RetryMode; body?: unknown },
  ): Promise<HttpResponse> {
    const endpoint = `${method} ${new URL(url).pathname}`;
    const log = this.deps.logger;
    let transientFailures = 0;
    let rateLimited = 0;
    for (;;) {
      await this.deps.budget?.take({ maxWaitMs: this.policy.maxRateLimitWaitMs });
      const keys = await this.deps.keys.keys();
      let response: Response;
      let text: string;
      try {
        const init: RequestInit = {
          method,
          headers: {
            ...keys.headers(),
            accept: 'application/json',
            ...(this.deps.userAgent === undefined ? {} : { 'user-agent': this.deps.userAgent }),
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        };
        if (options.body !== undefined) init.body = JSON.stringify(options.body);
        response = await this.fetchFn(url, init);
        text = await response.text();
      } catch (e) {
        const reason = isTimeout(e)
          ? `timed out after ${this.policy.timeoutMs} ms`
          : `network error: ${describe(e)}`;
        transientFailures++;
        if (options.mode === 'idempotent' && transientFailures < this.policy.maxIdempotentAttempts) {
          log.warn({ endpoint, attempt: transientFailures, reason }, `${this.api} request failed; retrying`);
          await this.deps.sleep(this.backoffMs(transientFailures));
          continue;
        }
        throw new AlpacaUnavailable(
          `${endpoint} ${reason}`,
          { endpoint, attempts: transientFailures },
          { cause: e },
        );
      }

      const status = response.status;
      log.debug({ endpoint, status }, `${this.api} response`);

      if (status === 429) {
        const waitMs = this.rateLimitWaitMs(response.headers, rateLimited);
        const retryAfter = new Date(this.deps.clock.now().getTime() + waitMs);
        await this.deps.budget?.exhaustUntil(retryAfter);
        if (rateLimited >= this.policy.maxRateLimitRetries || waitMs > this.policy.maxRateLimitWaitMs) {
          throw new AlpacaRateLimited(`${endpoint} rate limited (HTTP 429)`, retryAfter, {
            endpoint,
            attempts: rateLimited + 1,
            limit: response.headers.get('x-ratelimit-limit'),
            remaining: response.headers.get('x-ratelimit-remaining'),
          });
        }
        rateLimited++;
        log.warn(
          { endpoint, waitMs, attempt: rateLimited },
          `${this.api} rate limit (429); waiting for the reset`,
        );
        await this.deps.sleep(waitMs);
        continue;
      }

      const spentUntil = exhaustedUntil(response.headers, this.deps.clock.now());
      if (spentUntil !== undefined) {
        log.info(
          { endpoint, resetAt: spentUntil.toISOString() },
          `${this.api} rate limit nearly spent; the account budget waits for the reset`,
        );
        await this.deps.budget?.exhaustUntil(spentUntil);
      }

      if (status >= 500) {
        transientFailures++;
        if (options.mode === 'idempotent' && transientFailures < this.policy.maxIdempotentAttempts) {
          log.warn({ endpoint, status, attempt: transientFailures }, `${this.api} 5xx; retrying`);
          await this.deps.sleep(this.backoffMs(transientFailures));
          continue;
        }
        throw new AlpacaUnavailable(`${endpoint} failed with HTTP ${status}: ${text.slice(0, 200)}`, {
          endpoint,
          status,
          attempts: transientFailures,
        });
      }
      return { status, headers: response.headers, text };
    }
  }

  /** Exponential backoff with jitter: base × 2^(n−1), capped, scaled into [½, 1). */
  private backoffMs(failures: number): number {
    const ceiling = Math.min(this.policy.maxBackoffMs, this.policy.baseBackoffMs * 2 ** (failures - 1));
    return Math.round(ceiling * (0.5 + this.deps.random() / 2));
  }

  private rateLimitWaitMs(headers: Headers, previous429s: number): number {
    const now = this.deps.clock.now().getTime();
    const reset = headers.get('x-ratelimit-reset')?.trim();
    if (reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
    const retryAfter = headers.get('retry-after')?.trim();
    if (retryAfter !== undefined) {
      if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) return Math.max(0, at - now);
    }
    return this.backoffMs(previous429s + 1);
  }
}

// Duck-typed: the DOMException thrown by fetch may come from another realm (jest, vm contexts).
function isTimeout(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('name' in e)) return false;
  return e.name === 'TimeoutError' || e.name === 'AbortError';
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
  return `${e.message}${cause}`;
}
