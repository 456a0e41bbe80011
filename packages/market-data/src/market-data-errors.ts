import { BooksError } from '@books/core';

/** The data API did not answer usefully after the allowed retries (5xx, network, timeout). */
export class MarketDataUnavailable extends BooksError {
  static override readonly errorName: string = 'MarketDataUnavailable';
  constructor(message: string, context: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super('MARKET_DATA_UNAVAILABLE', message, context, options);
  }
}

/** HTTP 429 whose reset is too far away, or too many of them in a row. */
export class MarketDataRateLimited extends BooksError {
  static override readonly errorName: string = 'MarketDataRateLimited';
  constructor(
    message: string,
    readonly retryAfter: Date,
    context: Readonly<Record<string, unknown>>,
  ) {
    super('MARKET_DATA_RATE_LIMITED', message, { ...context, retryAfter: retryAfter.toISOString() });
  }
}

/** A 4xx other than 429: the request itself is wrong (bad symbol, keys, feed not subscribed). */
export class MarketDataRequestError extends BooksError {
  static override readonly errorName: string = 'MarketDataRequestError';
  constructor(
    message: string,
    readonly status: number,
    context: Readonly<Record<string, unknown>>,
  ) {
    super('MARKET_DATA_REQUEST', message, { ...context, status });
  }
}

/** A payload that does not fit the documented schema; names the field and, when known, the symbol. */
export class MalformedMarketData extends BooksError {
  static override readonly errorName: string = 'MalformedMarketData';
  constructor(
    readonly endpoint: string,
    readonly field: string,
    readonly symbol: string | undefined,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      'MARKET_DATA_MALFORMED',
      `${endpoint}: malformed payload at ${field}${symbol === undefined ? '' : ` (symbol ${symbol})`}: ${problem}`,
      { endpoint, field, symbol },
      options,
    );
  }
}
