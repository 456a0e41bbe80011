import { ClientOrderId, Symbol, TradingDate } from '@books/core';
import {
  AssetNotTradable,
  type Broker,
  BrokerOrderId,
  InsufficientBuyingPower,
  InsufficientQuantity,
  NotFractionable,
  OrderNotCancelable,
  OrderNotFound,
  WashTradeRejected,
} from '../../src';
import { CONTRACT_WORLD, cid, limitOrder, marketBuy, marketSell, notionalBuy } from './world';

export interface BrokerFixture {
  readonly broker: Broker;
  close(): Promise<void>;
}

/**
 * The behaviour every Broker must show, whatever is behind it. `makeBroker` returns a broker over
 * a fresh account in the state of CONTRACT_WORLD at CONTRACT_NOW (market fills at the listed
 * prices, no slippage, no fees).
 */
export function describeBrokerContract(name: string, makeBroker: () => Promise<BrokerFixture>): void {
  describe(`Broker contract: ${name}`, () => {
    let fixture: BrokerFixture;
    let broker: Broker;
    beforeEach(async () => {
      fixture = await makeBroker();
      broker = fixture.broker;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('reports the starting account: cash, equity and buying power', async () => {
      const account = await broker.getAccount();
      expect(account.cash.toString()).toBe(CONTRACT_WORLD.cash);
      expect(account.equity.toString()).toBe(CONTRACT_WORLD.cash);
      expect(account.buyingPower.toString()).toBe(CONTRACT_WORLD.cash);
      expect(await broker.getPositions()).toEqual([]);
    });

    it('fills a market buy at the price and shows it in account and positions', async () => {
      const order = await broker.placeOrder(marketBuy('SPY', '2'));
      expect(order.status).toBe('filled');
      expect(order.alreadyExisted).toBe(false);
      expect(order.filledQty.toString()).toBe('2');
      expect(order.filledAvgPrice?.toString()).toBe('500');
      const account = await broker.getAccount();
      expect(account.cash.toString()).toBe('9000');
      expect(account.equity.toString()).toBe('10000');
      const positions = await broker.getPositions();
      expect(
        positions.map((p) => [
          p.symbol,
          p.qty.toString(),
          p.avgEntryPrice.toString(),
          p.marketValue.toString(),
        ]),
      ).toEqual([['SPY', '2', '500', '1000']]);
    });

    it('fills fractional quantities and notional orders on a fractionable asset', async () => {
      await broker.placeOrder(marketBuy('SPY', '0.5'));
      const byNotional = await broker.placeOrder(notionalBuy('SPY', '250'));
      expect(byNotional.filledQty.toString()).toBe('0.5');
      const [position] = await broker.getPositions();
      expect(position?.qty.toString()).toBe('1');
      expect((await broker.getAccount()).cash.toString()).toBe('9500');
    });

    it('sells from a position and credits the cash', async () => {
      await broker.placeOrder(marketBuy('SPY', '3'));
      const sell = await broker.placeOrder(marketSell('SPY', '1'));
      expect(sell.status).toBe('filled');
      expect((await broker.getPositions())[0]?.qty.toString()).toBe('2');
      expect((await broker.getAccount()).cash.toString()).toBe('9000');
    });

    it('returns the existing order for a duplicate client order id and never fills twice', async () => {
      const id = cid('dup');
      const first = await broker.placeOrder(marketBuy('SPY', '2', id));
      const second = await broker.placeOrder(marketBuy('SPY', '2', id));
      expect(second.alreadyExisted).toBe(true);
      expect(second.id).toBe(first.id);
      expect(second.clientOrderId).toBe(id);
      expect(second.status).toBe('filled');
      expect((await broker.getPositions())[0]?.qty.toString()).toBe('2');
      expect((await broker.getAccount()).cash.toString()).toBe('9000');
    });

    it('rejects an order as a wash trade when an opposite-side order is open on the symbol', async () => {
      await broker.placeOrder(marketBuy('SPY', '2'));
      await broker.placeOrder(limitOrder('sell', 'SPY', '1', '600'));
      const attempt = broker.placeOrder(marketBuy('SPY', '1'));
      await expect(attempt).rejects.toBeInstanceOf(WashTradeRejected);
      await expect(attempt).rejects.toMatchObject({ retryable: false });
    });

    it('allows a same-side order while another is open on the symbol', async () => {
      await broker.placeOrder(limitOrder('buy', 'SPY', '1', '400'));
      const second = await broker.placeOrder(marketBuy('SPY', '1'));
      expect(second.status).toBe('filled');
    });

    it('rejects a buy beyond the buying power, counting cash held by open buys', async () => {
      await expect(broker.placeOrder(marketBuy('SPY', '21'))).rejects.toBeInstanceOf(InsufficientBuyingPower);
      await broker.placeOrder(limitOrder('buy', 'SPY', '20', '400'));
      expect((await broker.getAccount()).buyingPower.toString()).toBe('2000');
      const attempt = broker.placeOrder(marketBuy('QQQ', '5'));
      await expect(attempt).rejects.toBeInstanceOf(InsufficientBuyingPower);
      await expect(attempt).rejects.toMatchObject({ retryable: false });
    });

    it('rejects a sell of more than the position', async () => {
      await broker.placeOrder(marketBuy('SPY', '1'));
      await expect(broker.placeOrder(marketSell('SPY', '2'))).rejects.toBeInstanceOf(InsufficientQuantity);
    });

    it('rejects a fractional quantity or a notional order on a non-fractionable asset', async () => {
      await expect(broker.placeOrder(marketBuy('NVR', '1.5'))).rejects.toBeInstanceOf(NotFractionable);
      await expect(broker.placeOrder(notionalBuy('NVR', '150'))).rejects.toMatchObject({
        name: 'NotFractionable',
        retryable: false,
      });
      const whole = await broker.placeOrder(marketBuy('NVR', '2'));
      expect(whole.filledQty.toString()).toBe('2');
    });

    it('rejects an order on an asset that is not tradable', async () => {
      const asset = await broker.getAsset(Symbol('DLST'));
      expect(asset).toMatchObject({ tradable: false, status: 'inactive' });
      await expect(broker.placeOrder(marketBuy('DLST', '1'))).rejects.toBeInstanceOf(AssetNotTradable);
    });

    it('describes assets: tradable and fractionable flags', async () => {
      expect(await broker.getAsset(Symbol('SPY'))).toEqual({
        symbol: 'SPY',
        status: 'active',
        tradable: true,
        fractionable: true,
      });
      expect((await broker.getAsset(Symbol('NVR'))).fractionable).toBe(false);
      await expect(broker.getAsset(Symbol('NOPE'))).rejects.toBeInstanceOf(AssetNotTradable);
    });

    it('serves the calendar with an early close, as New York times and UTC instants', async () => {
      const days = await broker.getCalendar(TradingDate('2026-11-25'), TradingDate('2026-11-30'));
      expect(days.map((d) => [d.date, d.open, d.close, d.earlyClose])).toEqual([
        ['2026-11-25', '09:30', '16:00', false],
        ['2026-11-27', '09:30', '13:00', true],
        ['2026-11-30', '09:30', '16:00', false],
      ]);
      expect(days[1]?.openAt.toISOString()).toBe('2026-11-27T14:30:00.000Z');
      expect(days[1]?.closeAt.toISOString()).toBe('2026-11-27T18:00:00.000Z');
      const narrow = await broker.getCalendar(TradingDate('2026-11-26'), TradingDate('2026-11-26'));
      expect(narrow).toEqual([]);
    });

    it('reports the market clock from the calendar: open now, closing early', async () => {
      const clock = await broker.getClock();
      expect(clock.isOpen).toBe(true);
      expect(clock.timestamp.toISOString()).toBe('2026-11-27T15:00:00.000Z');
      expect(clock.nextClose.toISOString()).toBe('2026-11-27T18:00:00.000Z');
      expect(clock.nextOpen.toISOString()).toBe('2026-11-30T14:30:00.000Z');
    });

    it('cancels an open order, releasing its buying power; canceling twice is harmless', async () => {
      const open = await broker.placeOrder(limitOrder('buy', 'SPY', '2', '400'));
      expect(['new', 'accepted']).toContain(open.status);
      expect((await broker.listOpenOrders()).map((o) => o.id)).toEqual([open.id]);
      await broker.cancelOrder(open.id);
      await broker.cancelOrder(open.id);
      expect((await broker.getOrder(open.id)).status).toBe('canceled');
      expect(await broker.listOpenOrders()).toEqual([]);
      expect((await broker.getAccount()).buyingPower.toString()).toBe('10000');
    });

    it('refuses to cancel a filled order', async () => {
      const filled = await broker.placeOrder(marketBuy('SPY', '1'));
      await expect(broker.cancelOrder(filled.id)).rejects.toBeInstanceOf(OrderNotCancelable);
    });

    it('gets an order by id and by client order id', async () => {
      const placed = await broker.placeOrder(marketBuy('SPY', '1'));
      const byId = await broker.getOrder(placed.id);
      const byClientId = await broker.getOrderByClientId(placed.clientOrderId);
      expect(byId).toEqual(byClientId);
      expect(byId).toMatchObject({
        id: placed.id,
        clientOrderId: placed.clientOrderId,
        symbol: 'SPY',
        side: 'buy',
      });
      await expect(
        broker.getOrder(BrokerOrderId('00000000-0000-0000-0000-000000000000')),
      ).rejects.toBeInstanceOf(OrderNotFound);
      await expect(broker.getOrderByClientId(ClientOrderId('never-placed'))).rejects.toBeInstanceOf(
        OrderNotFound,
      );
    });

    it('serves latest prices exactly, leaving out symbols without a price', async () => {
      const prices = await broker.getLatestPrices([Symbol('SPY'), Symbol('QQQ'), Symbol('NOPE')]);
      expect([...prices.keys()].sort()).toEqual(['QQQ', 'SPY']);
      expect(prices.get(Symbol('QQQ'))?.price.toString()).toBe('410.1234567890123456789');
      expect(prices.get(Symbol('SPY'))?.price.toString()).toBe('500');
    });
  });
}
