import { BooksError } from '@books/core';

/**
 * Every broker failure is one of these. `retryable` answers one question for the caller: may the
 * same request (with the same client order id) be sent again later and possibly succeed?
 */
export abstract class BrokerError extends BooksError {
  static override readonly errorName: string = 'BrokerError';
  abstract readonly retryable: boolean;
}

/**
 * The broker already holds an order with this client order id (Alpaca: HTTP 422, code 40010001).
 * Internal: `placeOrder` turns it into the existing order with `alreadyExisted: true`.
 */
export class DuplicateClientOrderIdError extends BrokerError {
  static override readonly errorName: string = 'DuplicateClientOrderIdError';
  readonly retryable = false;
  constructor(
    readonly clientOrderId: string,
    options?: { cause?: unknown },
  ) {
    super(
      'BROKER_DUPLICATE_CLIENT_ORDER_ID',
      `client_order_id ${clientOrderId} must be unique`,
      { clientOrderId },
      options,
    );
  }
}

/** An opposite-side order is open on the symbol (Alpaca: HTTP 403, code 40310000). */
export class WashTradeRejected extends BrokerError {
  static override readonly errorName: string = 'WashTradeRejected';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_WASH_TRADE', message, context, options);
  }
}

/** The account cannot pay for the order (Alpaca: HTTP 403, code 40310000, "insufficient buying power"). */
export class InsufficientBuyingPower extends BrokerError {
  static override readonly errorName: string = 'InsufficientBuyingPower';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_INSUFFICIENT_BUYING_POWER', message, context, options);
  }
}

/** A sell for more than the account holds (Alpaca: HTTP 403, "insufficient qty available for order"). */
export class InsufficientQuantity extends BrokerError {
  static override readonly errorName: string = 'InsufficientQuantity';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_INSUFFICIENT_QUANTITY', message, context, options);
  }
}

/** A fractional quantity or a notional order on an asset that is not fractionable. */
export class NotFractionable extends BrokerError {
  static override readonly errorName: string = 'NotFractionable';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_NOT_FRACTIONABLE', message, context, options);
  }
}

/** The asset exists but may not be traded (or is unknown to the broker). */
export class AssetNotTradable extends BrokerError {
  static override readonly errorName: string = 'AssetNotTradable';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_ASSET_NOT_TRADABLE', message, context, options);
  }
}

/** Any other order rejection the broker gave a reason for (bad request, market closed…). */
export class OrderRejected extends BrokerError {
  static override readonly errorName: string = 'OrderRejected';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_ORDER_REJECTED', message, context, options);
  }
}

/** The order is in a state that cannot be canceled (already filled, for example). */
export class OrderNotCancelable extends BrokerError {
  static override readonly errorName: string = 'OrderNotCancelable';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_ORDER_NOT_CANCELABLE', message, context, options);
  }
}

/** Rate limit still exceeded after honouring the broker's reset time as long as we were allowed to wait. */
export class RateLimited extends BrokerError {
  static override readonly errorName: string = 'RateLimited';
  readonly retryable = true;
  constructor(
    message: string,
    /** When the broker's window resets, as far as we know. */
    readonly retryAfter: Date,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_RATE_LIMITED', message, { ...context, retryAfter: retryAfter.toISOString() }, options);
  }
}

/**
 * 5xx, network error or timeout, after the retries this adapter allows. From `placeOrder` it
 * means the order is not known to be placed: either the lookup by client order id found nothing,
 * or the lookup failed too. Either way the caller re-enters with the same client order id, which
 * can never place a second order (a duplicate id returns the existing one).
 */
export class BrokerUnavailable extends BrokerError {
  static override readonly errorName: string = 'BrokerUnavailable';
  readonly retryable = true;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_UNAVAILABLE', message, context, options);
  }
}

export class OrderNotFound extends BrokerError {
  static override readonly errorName: string = 'OrderNotFound';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_ORDER_NOT_FOUND', message, context, options);
  }
}

/** A broker response that does not have the documented shape; names the endpoint and the fields. */
export class MalformedBrokerPayload extends BrokerError {
  static override readonly errorName: string = 'MalformedBrokerPayload';
  readonly retryable = false;
  constructor(
    readonly endpoint: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      'BROKER_MALFORMED_PAYLOAD',
      `${endpoint}: malformed broker payload: ${problems.join('; ')}`,
      { endpoint, problems },
      options,
    );
  }
}

/** A request or credential problem on our side (401, 400, bad configuration); never retryable. */
export class BrokerRequestError extends BrokerError {
  static override readonly errorName: string = 'BrokerRequestError';
  readonly retryable = false;
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('BROKER_REQUEST', message, context, options);
  }
}
