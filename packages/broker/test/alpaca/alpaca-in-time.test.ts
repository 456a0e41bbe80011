import { ManualClock } from '@books/core';
import { FakeAlpacaServer, type FakeOrderScript, type FakeWorld } from '@books/testkit';
import {
  AlpacaBroker,
  AlpacaKeys,
  type BrokerOrder,
  InsufficientBuyingPower,
  parseAlpacaConfig,
  WashTradeRejected,
} from '../../src';
import { capturingLogger } from '../support/logs';
import { CONTRACT_NOW, CONTRACT_WORLD, cid, marketBuy, marketSell } from '../support/world';

/**
 * The adapter against a fake Alpaca that behaves like Alpaca in time: an order is accepted, then
 * fills (or partly fills, or is rejected late, or expires) while the clock moves; a cancel is
 * pending first; a market buy is checked a buffer above the price; a wash trade comes as 403 or
 * 422. The fake's exchanges are checked against Alpaca's OpenAPI documents throughout.
 */

const KEY_ID = 'PKTIME0001';
const SECRET = 'time-secret';

async function setup(script: FakeOrderScript | undefined, world: Partial<FakeWorld> = {}) {
  const clock = new ManualClock(CONTRACT_NOW);
  const server = await FakeAlpacaServer.start({
    world: { ...CONTRACT_WORLD, ...world },
    clock,
    keyId: KEY_ID,
    secretKey: SECRET,
  });
  server.state.scriptOrders(() => script);
  const broker = new AlpacaBroker(
    parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, timeoutMs: 2_000 }),
    {
      keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
      clock,
      logger: capturingLogger('warn').logger,
      sleep: async (ms) => clock.advance(ms),
      random: () => 0.5,
    },
  );
  return { clock, server, broker };
}

type Setup = Awaited<ReturnType<typeof setup>>;
const summary = (o: BrokerOrder) => ({ status: o.status, filledQty: o.filledQty.toString() });

describe('the Alpaca adapter against an Alpaca that behaves in time', () => {
  let t: Setup | undefined;
  afterEach(async () => {
    await t?.server.close();
    t = undefined;
  });

  it('an order accepted, then filled a second later', async () => {
    t = await setup({ initial: 'accepted', steps: [{ afterMs: 1_000, kind: 'fill' }] });
    const placed = await t.broker.placeOrder(marketBuy('SPY', '2'));
    expect(summary(placed)).toEqual({ status: 'accepted', filledQty: '0' });
    t.clock.advance(999);
    expect(summary(await t.broker.getOrder(placed.id))).toEqual({ status: 'accepted', filledQty: '0' });
    t.clock.advance(1);
    const filled = await t.broker.getOrder(placed.id);
    expect(summary(filled)).toEqual({ status: 'filled', filledQty: '2' });
    expect(filled.filledAvgPrice?.toString()).toBe('500');
    expect((await t.broker.getAccount()).cash.toString()).toBe('9000');
  });

  it.each([['done_for_day' as const], ['expired' as const]])(
    'partial fills, then %s: the filled part stays, the rest of the buying power comes back',
    async (end) => {
      t = await setup({
        steps: [
          { afterMs: 500, kind: 'fill', ratio: '0.4' },
          { afterMs: 1_000, kind: 'fill', ratio: '0.2' },
          { afterMs: 5_000, kind: 'end', status: end },
        ],
      });
      const placed = await t.broker.placeOrder(marketBuy('SPY', '10'));
      expect(summary(placed)).toEqual({ status: 'new', filledQty: '0' });
      t.clock.advance(500);
      expect(summary(await t.broker.getOrder(placed.id))).toEqual({
        status: 'partially_filled',
        filledQty: '4',
      });
      t.clock.advance(500);
      expect(summary(await t.broker.getOrder(placed.id))).toEqual({
        status: 'partially_filled',
        filledQty: '6',
      });
      // What is left of the buy still holds buying power, with the market-buy buffer.
      expect((await t.broker.getAccount()).buyingPower.toString()).toBe('4950');
      t.clock.advance(4_000);
      expect(summary(await t.broker.getOrder(placed.id))).toEqual({ status: end, filledQty: '6' });
      const account = await t.broker.getAccount();
      expect([account.cash.toString(), account.buyingPower.toString()]).toEqual(['7000', '7000']);
      expect((await t.broker.getPositions()).map((p) => p.qty.toString())).toEqual(['6']);
    },
  );

  it('a late rejection: taken (pending_new, not routed), then rejected with nothing filled', async () => {
    t = await setup({ initial: 'pending_new', steps: [{ afterMs: 300, kind: 'end', status: 'rejected' }] });
    const placed = await t.broker.placeOrder(marketBuy('SPY', '1'));
    expect(summary(placed)).toEqual({ status: 'pending_new', filledQty: '0' });
    t.clock.advance(300);
    expect(summary(await t.broker.getOrderByClientId(placed.clientOrderId))).toEqual({
      status: 'rejected',
      filledQty: '0',
    });
    expect((await t.broker.getAccount()).buyingPower.toString()).toBe('10000');
  });

  it.each([
    ['canceled' as const, '0'],
    ['filled' as const, '3'],
  ])('a cancel is pending_cancel first, then %s', async (outcome, filledQty) => {
    t = await setup({ steps: [{ afterMs: 60_000, kind: 'fill' }], onCancel: { afterMs: 200, outcome } });
    const placed = await t.broker.placeOrder(marketBuy('SPY', '3'));
    await t.broker.cancelOrder(placed.id);
    expect(summary(await t.broker.getOrder(placed.id))).toEqual({ status: 'pending_cancel', filledQty: '0' });
    t.clock.advance(200);
    expect(summary(await t.broker.getOrder(placed.id))).toEqual({ status: outcome, filledQty });
    expect(await t.broker.listOpenOrders()).toEqual([]);
  });

  it('checks a market buy a buffer above the price: cash for the shares alone is not enough', async () => {
    t = await setup(undefined);
    await expect(t.broker.placeOrder(marketBuy('SPY', '20'))).rejects.toBeInstanceOf(InsufficientBuyingPower);
    const placed = await t.broker.placeOrder(marketBuy('SPY', '19'));
    expect(summary(placed)).toEqual({ status: 'filled', filledQty: '19' });
  });

  it.each([[403 as const], [422 as const]])(
    'reads a wash trade answered with %i as a wash-trade rejection',
    async (status) => {
      t = await setup({ steps: [] }, { washTradeStatus: status });
      await t.broker.placeOrder(marketBuy('SPY', '1'));
      t.server.state.setPosition('SPY', '5', '500');
      const error = await t.broker.placeOrder(marketSell('SPY', '1')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WashTradeRejected);
      expect(error).toMatchObject({ context: { status } });
    },
  );

  it('finds by client order id an order whose connection dropped after it was accepted: one POST', async () => {
    t = await setup({ initial: 'accepted', steps: [{ afterMs: 100, kind: 'fill' }] });
    t.server.inject({ route: 'POST /v2/orders', kind: 'accept-then-drop' });
    const request = marketBuy('SPY', '2', cid('drop'));
    const placed = await t.broker.placeOrder(request);
    expect(placed).toMatchObject({ clientOrderId: request.clientOrderId, alreadyExisted: true });
    expect(t.server.count('POST /v2/orders')).toBe(1);
    t.clock.advance(100);
    expect(summary(await t.broker.getOrder(placed.id))).toEqual({ status: 'filled', filledQty: '2' });
  });
});
