import {
  AlpacaHttp,
  type AlpacaHttpDeps,
  AlpacaKeysUnavailable,
  AlpacaRateLimited,
  AlpacaUnavailable,
  type HttpPolicy,
  type JsonValue,
  parseJsonLossless,
  type RetryMode,
} from '@books/alpaca';
import { BrokerRequestError, BrokerUnavailable, MalformedBrokerPayload, RateLimited } from '../errors';

export interface BrokerResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body read losslessly; undefined when empty. */
  readonly body: JsonValue | undefined;
}

/**
 * The shared Alpaca transport with the broker port's errors: AlpacaUnavailable → BrokerUnavailable,
 * AlpacaRateLimited → RateLimited, AlpacaKeysUnavailable → BrokerRequestError, a body that is not
 * JSON → MalformedBrokerPayload (thrown by `readBody`, so a caller may look a 2xx up instead).
 */
export class BrokerTransport {
  private readonly http: AlpacaHttp;

  constructor(policy: HttpPolicy, deps: AlpacaHttpDeps) {
    this.http = new AlpacaHttp(policy, deps, 'broker');
  }

  /** The final response, its body as text (read it with `readBody`). */
  async send(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { mode: RetryMode; body?: unknown },
  ): Promise<{ status: number; headers: Headers; text: string }> {
    try {
      return await this.http.request(method, url, options);
    } catch (e) {
      throw brokerErrorOf(e);
    }
  }
}

/** An error body, read when it can be: one that is not JSON maps by its status alone. */
export function lenientBody(text: string): JsonValue | undefined {
  try {
    return text.trim() === '' ? undefined : parseJsonLossless(text);
  } catch {
    return undefined;
  }
}

/** Parses a body losslessly; empty → undefined; not JSON → MalformedBrokerPayload. */
export function readBody(endpoint: string, status: number, text: string): JsonValue | undefined {
  if (text.trim() === '') return undefined;
  try {
    return parseJsonLossless(text);
  } catch (e) {
    throw new MalformedBrokerPayload(endpoint, [`(body): not JSON (HTTP ${status}): ${describe(e)}`], {
      cause: e,
    });
  }
}

function brokerErrorOf(e: unknown): unknown {
  if (e instanceof AlpacaUnavailable) return new BrokerUnavailable(e.message, e.context, { cause: e });
  if (e instanceof AlpacaRateLimited)
    return new RateLimited(e.message, e.retryAfter, e.context, { cause: e });
  if (e instanceof AlpacaKeysUnavailable) return new BrokerRequestError(e.message, e.context, { cause: e });
  return e;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
