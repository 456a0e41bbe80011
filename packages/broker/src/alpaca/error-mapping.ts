import {
  AssetNotTradable,
  type BrokerError,
  BrokerRequestError,
  DuplicateClientOrderIdError,
  InsufficientBuyingPower,
  InsufficientQuantity,
  NotFractionable,
  OrderNotCancelable,
  OrderNotFound,
  OrderRejected,
  WashTradeRejected,
} from '../errors';
import { ErrorPayload } from './payloads';
import type { BrokerResponse } from './transport';

/** Alpaca's error codes we rely on. The message tells 403 rejections with the same code apart. */
export const ALPACA_CODE_UNPROCESSABLE = 40010001;
export const ALPACA_CODE_FORBIDDEN = 40310000;

/**
 * Maps a non-2xx, non-429, non-5xx Alpaca response to a typed error.
 *
 * Alpaca gives several 403 order rejections the same code 40310000 and distinguishes them only by
 * message ("potential wash trade detected. use complex orders", "insufficient buying power",
 * "insufficient qty available for order …"), so the message is matched, case-insensitively.
 */
export function errorFromResponse(
  endpoint: string,
  response: Pick<BrokerResponse, 'status' | 'body'>,
  context: Readonly<Record<string, unknown>> = {},
): BrokerError {
  const parsed = ErrorPayload.safeParse(response.body);
  const code = parsed.success ? parsed.data.code : undefined;
  const message = parsed.success ? parsed.data.message : 'no error message';
  const status = response.status;
  const ctx = { ...context, endpoint, status, code, brokerMessage: message };
  const text = `${endpoint} rejected (HTTP ${status}${code === undefined ? '' : `, code ${code}`}): ${message}`;
  const m = message.toLowerCase();

  if (status === 422 && m.includes('client_order_id must be unique')) {
    const id = typeof context.clientOrderId === 'string' ? context.clientOrderId : '';
    return new DuplicateClientOrderIdError(id);
  }
  if (m.includes('wash trade')) return new WashTradeRejected(text, ctx);
  if (m.includes('buying power')) return new InsufficientBuyingPower(text, ctx);
  if (m.includes('insufficient qty')) return new InsufficientQuantity(text, ctx);
  if (m.includes('not fractionable') || m.includes('qty must be integer') || m.includes('fractional'))
    return new NotFractionable(text, ctx);
  if (m.includes('not tradable') || m.includes('not active') || m.includes('asset not found'))
    return new AssetNotTradable(text, ctx);
  if (m.includes('not cancelable')) return new OrderNotCancelable(text, ctx);
  if (status === 404) return new OrderNotFound(text, ctx);
  if (status === 401 || (status === 403 && code !== ALPACA_CODE_FORBIDDEN))
    return new BrokerRequestError(text, ctx);
  if (status === 403 || status === 422) return new OrderRejected(text, ctx);
  return new BrokerRequestError(text, ctx);
}
