import { AlpacaContract, alpacaSpecPresent } from '../src/alpaca/openapi-contract';

const ORDER = {
  id: '61e69015-8549-4bfd-b9c3-000000000001',
  client_order_id: 'c-1',
  created_at: '2026-11-27T15:00:00Z',
  updated_at: '2026-11-27T15:00:00Z',
  submitted_at: null,
  filled_at: null,
  expired_at: null,
  canceled_at: null,
  failed_at: null,
  replaced_at: null,
  replaced_by: null,
  replaces: null,
  asset_id: 'b0b6dd9d-8b9b-48a9-ba46-535059000000',
  symbol: 'SPY',
  asset_class: 'us_equity',
  notional: null,
  qty: '1',
  filled_qty: '0',
  filled_avg_price: null,
  order_class: '',
  order_type: 'market',
  type: 'market',
  side: 'buy',
  time_in_force: 'day',
  limit_price: null,
  stop_price: null,
  status: 'pending_new',
  extended_hours: false,
  legs: null,
  trail_percent: null,
  trail_price: null,
  hwm: null,
};

(alpacaSpecPresent ? describe : describe.skip)('Alpaca’s OpenAPI documents as a checker', () => {
  let contract: AlpacaContract;
  beforeAll(() => {
    const loaded = AlpacaContract.load();
    if (!loaded) throw new Error('the spec folder is present but did not load');
    contract = loaded;
  });

  it('accepts an order request and an order answer the spec allows, nullable fields null', () => {
    const body = { symbol: 'SPY', side: 'buy', type: 'market', time_in_force: 'day', qty: '1' };
    expect(contract.checkRequest({ method: 'POST', url: '/v2/orders', body })).toEqual([]);
    expect(contract.checkResponse('POST', '/v2/orders', 200, JSON.stringify(ORDER))).toEqual([]);
  });

  it('names a request field outside the spec: an unknown enum value', () => {
    const body = { symbol: 'SPY', side: 'buy', type: 'market', time_in_force: 'someday', qty: '1' };
    expect(contract.checkRequest({ method: 'POST', url: '/v2/orders', body }).join('\n')).toContain(
      '/time_in_force must be equal to one of the allowed values',
    );
  });

  it('names an unknown or malformed query parameter, and an operation the spec lacks', () => {
    expect(contract.checkRequest({ method: 'GET', url: '/v2/orders?status=open&colour=red' })).toEqual([
      'GET /v2/orders: query parameter "colour" is not in the spec',
    ]);
    expect(contract.checkRequest({ method: 'GET', url: '/v2/orders?status=sleeping' }).join('\n')).toContain(
      'query parameter "status"',
    );
    expect(contract.checkRequest({ method: 'GET', url: '/v2/orders/not-a-uuid' }).join('\n')).toContain(
      'must match format "uuid"',
    );
    expect(contract.checkRequest({ method: 'GET', url: '/v2/nothing' })).toEqual([
      "GET /v2/nothing: no such operation in Alpaca's OpenAPI documents",
    ]);
  });

  it('takes a plain date where the spec says a date-time parameter reads YYYY-MM-DD', () => {
    expect(
      contract.checkRequest({ method: 'GET', url: '/v2/calendar?start=2024-01-02&end=2024-01-03' }),
    ).toEqual([]);
  });

  it('names a response field missing, of the wrong type, or null where the spec says not nullable', () => {
    const { time_in_force: _, ...noTimeInForce } = ORDER;
    const problems = (value: unknown) =>
      contract.checkResponse(
        'GET',
        '/v2/orders:by_client_order_id?client_order_id=c-1',
        200,
        JSON.stringify(value),
      );
    expect(problems(noTimeInForce).join('\n')).toContain("must have required property 'time_in_force'");
    expect(problems({ ...ORDER, qty: 1 }).join('\n')).toContain('/qty must be string');
    expect(problems({ ...ORDER, status: 'sleeping' }).join('\n')).toContain('/status');
    expect(problems({ ...ORDER, created_at: null }).join('\n')).toContain('/created_at must be string');
  });

  it('takes an undocumented error status only with Alpaca’s error body', () => {
    const url = '/v2/orders/61e69015-8549-4bfd-b9c3-000000000001';
    expect(contract.checkResponse('GET', url, 404, '{"code":40410000,"message":"order not found"}')).toEqual(
      [],
    );
    expect(contract.checkResponse('GET', url, 404, '{"error":"nope"}')).toHaveLength(1);
    expect(contract.checkResponse('GET', url, 201, '{}')).toEqual([
      'GET /v2/orders/{order_id} → 201: status not documented for this operation',
    ]);
  });

  it('checks market-data answers too: a latest trade whose price is text is not Alpaca’s', () => {
    const url = '/v2/stocks/trades/latest?symbols=SPY&feed=iex';
    const trade = { t: '2024-01-02T15:00:00Z', x: 'V', p: 471.5, s: 100, c: ['@'], i: 1, z: 'C' };
    expect(contract.checkRequest({ method: 'GET', url })).toEqual([]);
    expect(contract.checkResponse('GET', url, 200, JSON.stringify({ trades: { SPY: trade } }))).toEqual([]);
    expect(
      contract.checkResponse('GET', url, 200, JSON.stringify({ trades: { SPY: { ...trade, p: '471.5' } } })),
    ).not.toEqual([]);
  });
});
