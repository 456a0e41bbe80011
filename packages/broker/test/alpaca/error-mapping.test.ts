import { parseJsonLossless } from '@books/alpaca';
import { errorFromResponse } from '../../src/alpaca/error-mapping';
import type { BrokerResponse } from '../../src/alpaca/transport';

function response(status: number, body: string): BrokerResponse {
  return { status, headers: new Headers(), body: parseJsonLossless(body) };
}

describe('Alpaca error bodies', () => {
  it.each([
    [422, '{"code":40010001,"message":"client_order_id must be unique"}', 'DuplicateClientOrderIdError'],
    [
      403,
      '{"code":40310000,"message":"potential wash trade detected. use complex orders"}',
      'WashTradeRejected',
    ],
    [403, '{"code":40310000,"message":"insufficient buying power"}', 'InsufficientBuyingPower'],
    [403, '{"code":40310000,"message":"insufficient day trading buying power"}', 'InsufficientBuyingPower'],
    [
      403,
      '{"code":40310000,"message":"insufficient qty available for order (requested: 10, available: 5)"}',
      'InsufficientQuantity',
    ],
    [422, '{"code":42210000,"message":"asset \\"BRK.A\\" is not fractionable"}', 'NotFractionable'],
    [422, '{"code":40010001,"message":"qty must be integer"}', 'NotFractionable'],
    [422, '{"code":42210000,"message":"asset XYZ is not tradable"}', 'AssetNotTradable'],
    [422, '{"code":42210000,"message":"asset XYZ is not active"}', 'AssetNotTradable'],
    [422, '{"code":42210000,"message":"order is not cancelable"}', 'OrderNotCancelable'],
    [404, '{"code":40410000,"message":"order not found"}', 'OrderNotFound'],
    [422, '{"code":40010001,"message":"limit_price is required"}', 'OrderRejected'],
    [401, '{"code":40110000,"message":"request is not authorized"}', 'BrokerRequestError'],
    [403, '{"message":"forbidden"}', 'BrokerRequestError'],
  ])('maps HTTP %i %s to %s, not retryable', (status, body, name) => {
    const error = errorFromResponse('POST /v2/orders', response(status, body), { clientOrderId: 'c-1' });
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(false);
  });

  it('keeps the status, code and message in the error for the logs', () => {
    const error = errorFromResponse(
      'POST /v2/orders',
      response(403, '{"code":40310000,"message":"insufficient buying power"}'),
    );
    expect(error.message).toBe(
      'POST /v2/orders rejected (HTTP 403, code 40310000): insufficient buying power',
    );
    expect(error.context).toMatchObject({
      status: 403,
      code: 40310000,
      brokerMessage: 'insufficient buying power',
    });
  });
});
