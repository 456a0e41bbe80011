import { BooksError } from '@books/core';

/**
 * The transport's own failures. The broker and market-data adapters translate them into their
 * ports' errors (BrokerUnavailable, MarketDataUnavailable, …) in one place each.
 */

/** 5xx, network error or timeout, after the retries the request's mode allows. */
export class AlpacaUnavailable extends BooksError {
  static override readonly errorName: string = 'AlpacaUnavailable';
  constructor(message: string, context: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super('ALPACA_UNAVAILABLE', message, context, options);
  }
}

/** HTTP 429 whose reset is too far away, or too many of them in a row. */
export class AlpacaRateLimited extends BooksError {
  static override readonly errorName: string = 'AlpacaRateLimited';
  constructor(
    message: string,
    /** When Alpaca's window resets, as far as we know. */
    readonly retryAfter: Date,
    context: Readonly<Record<string, unknown>>,
  ) {
    super('ALPACA_RATE_LIMITED', message, { ...context, retryAfter: retryAfter.toISOString() });
  }
}

/** The API keys cannot be had (missing variables, unreadable or empty SSM parameters). Never retryable by resending. */
export class AlpacaKeysUnavailable extends BooksError {
  static override readonly errorName: string = 'AlpacaKeysUnavailable';
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('ALPACA_KEYS_UNAVAILABLE', message, context, options);
  }
}
