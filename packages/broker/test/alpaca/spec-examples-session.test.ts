import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientOrderId, ManualClock, Price, Quantity, Symbol } from '@books/core';
import { AlpacaContract } from '@books/testkit';
import * as z from 'zod';
import { AlpacaBroker, AlpacaKeys, BrokerOrderId, parseAlpacaConfig } from '../../src';
import { capturingLogger } from '../support/logs';

/**
 * A recorded session built from the response examples of Alpaca's own OpenAPI documents, replayed
 * through the adapter: each request the adapter sends must be the next one recorded (and what the
 * spec allows), and each answer is Alpaca's example, byte for byte.
 */

const SPEC_DIR = join(__dirname, '../../../../../shared/alpaca-openapi');
const present = existsSync(join(SPEC_DIR, 'trading-api.json'));
const read = (file: string): unknown => JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8'));

const Json = z.record(z.string(), z.unknown());
const Trading = z.object({
  components: z.object({ examples: z.record(z.string(), z.object({ value: Json })) }),
  paths: z.object({
    '/v2/account': z.object({
      get: z.object({
        responses: z.object({
          '200': z.object({ content: z.object({ 'application/json': z.object({ example: Json }) }) }),
        }),
      }),
    }),
  }),
});
const MarketData = z.object({
  paths: z.object({
    '/v2/stocks/trades/latest': z.object({
      get: z.object({
        responses: z.object({
          '200': z.object({
            content: z.object({
              'application/json': z.object({ examples: z.object({ trades: z.object({ value: Json }) }) }),
            }),
          }),
        }),
      }),
    }),
  }),
});

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

(present ? describe : describe.skip)('a session recorded from the spec’s response examples', () => {
  it('replays through the adapter: account, an equity order placed and read back, a latest trade', async () => {
    const trading = Trading.parse(read('trading-api.json'));
    const data = MarketData.parse(read('market-data-api.json'));
    const account = trading.paths['/v2/account'].get.responses['200'].content['application/json'].example;
    const order = trading.components.examples.EquityOrderResponse?.value ?? {};
    const trades =
      data.paths['/v2/stocks/trades/latest'].get.responses['200'].content['application/json'].examples.trades
        .value;
    const orderId = z.string().parse(order.id);
    const session: Recorded[] = [
      { method: 'GET', path: '/v2/account', status: 200, body: account },
      { method: 'POST', path: '/v2/orders', status: 200, body: order },
      { method: 'GET', path: `/v2/orders/${orderId}`, status: 200, body: order },
      { method: 'GET', path: '/v2/stocks/trades/latest', status: 200, body: trades },
    ];
    const contract = AlpacaContract.load(SPEC_DIR);
    if (!contract) throw new Error('the spec did not load');
    const violations: string[] = [];
    const replay: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      const next = session.shift();
      const method = init?.method ?? 'GET';
      expect({ method, path: url.pathname }).toEqual({ method: next?.method, path: next?.path });
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      violations.push(
        ...contract.checkRequest({
          method,
          url: `${url.pathname}${url.search}`,
          ...(body === undefined ? {} : { body }),
        }),
      );
      return new Response(JSON.stringify(next?.body), { status: next?.status ?? 599 });
    };
    const clock = new ManualClock('2022-08-17T14:00:00Z');
    const broker = new AlpacaBroker(
      parseAlpacaConfig({ tradingUrl: 'https://paper-api.alpaca.markets', feed: 'iex' }),
      {
        keys: { keys: async () => new AlpacaKeys('PKSESSION1', 'session-secret') },
        clock,
        logger: capturingLogger('warn').logger,
        sleep: async (ms) => clock.advance(ms),
        fetch: replay,
      },
    );

    const acct = await broker.getAccount();
    const placed = await broker.placeOrder({
      clientOrderId: ClientOrderId(z.string().parse(order.client_order_id)),
      symbol: Symbol('AAPL'),
      side: 'buy',
      type: 'limit',
      timeInForce: 'day',
      qty: Quantity.parse('2'),
      limitPrice: Price.parse('150'),
    });
    const readBack = await broker.getOrder(BrokerOrderId(orderId));
    const prices = await broker.getLatestPrices([Symbol('AAPL')]);

    expect([acct.equity.toString(), acct.cash.toString(), acct.buyingPower.toString()]).toEqual([
      String(account.equity),
      String(account.cash),
      String(account.buying_power),
    ]);
    expect(placed).toMatchObject({
      id: orderId,
      symbol: 'AAPL',
      side: 'buy',
      status: 'accepted',
      alreadyExisted: false,
    });
    expect(readBack.filledQty.toString()).toBe('0');
    expect(prices.get(Symbol('AAPL'))?.price.toString()).toBe('172.78');
    expect(session).toEqual([]);
    expect(violations).toEqual([]);
  });
});
