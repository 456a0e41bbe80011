import { ManualClock, Symbol } from '@books/core';
import { FakeAlpacaServer, type FakeWorld } from '@books/testkit';
import * as z from 'zod';
import { AlpacaBroker, AlpacaKeys, BrokerOrderId, parseAlpacaConfig } from '../../src';
import { capturingLogger } from '../support/logs';
import { tradingExample, tradingSpecPresent } from '../support/openapi';
import { CONTRACT_NOW, CONTRACT_WORLD, cid, limitOrder, marketBuy } from '../support/world';

/**
 * Rows of the account the way Alpaca's spec allows them, each read without making anything else
 * unreadable: orders not yet routed, options / crypto / multi-leg rows, share classes, replaced
 * orders, shorts, and an accepted order whose answer is cut off.
 */

const ReplacedBy = z.object({ replaced_by: z.string() });

const KEY_ID = 'PKROWS0001';
const SECRET = 'rows-secret';
const WORLD: FakeWorld = {
  ...CONTRACT_WORLD,
  assets: [...CONTRACT_WORLD.assets, { symbol: 'BRK.B', tradable: true, fractionable: true }],
  prices: { ...CONTRACT_WORLD.prices, 'BRK.B': '480.25' },
};

async function setup() {
  const clock = new ManualClock(CONTRACT_NOW);
  const server = await FakeAlpacaServer.start({ world: WORLD, clock, keyId: KEY_ID, secretKey: SECRET });
  const log = capturingLogger('info');
  const broker = new AlpacaBroker(
    parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, timeoutMs: 2_000 }),
    {
      keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
      clock,
      logger: log.logger,
      sleep: async (ms) => clock.advance(ms),
      random: () => 0.5,
    },
  );
  return { clock, server, broker, log };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** An option position row shaped by the spec's Position schema (its examples are equities only). */
const OPTION_POSITION = {
  asset_id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
  symbol: 'AAPL250620C00100000',
  exchange: '',
  asset_class: 'us_option',
  asset_marginable: false,
  avg_entry_price: '10.5',
  qty: '2',
  qty_available: '2',
  side: 'long',
  market_value: '2200',
  cost_basis: '2100',
  unrealized_pl: '100',
  unrealized_plpc: '0.0476',
  unrealized_intraday_pl: '0',
  unrealized_intraday_plpc: '0',
  current_price: '11',
  lastday_price: '11',
  change_today: '0',
};
const CRYPTO_POSITION = {
  ...OPTION_POSITION,
  asset_id: 'a1733398-6acc-4e92-af24-0d0667f78713',
  symbol: 'ETH/USD',
  asset_class: 'crypto',
  qty: '0.02',
};

describe('Alpaca account rows', () => {
  let t: Setup;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.server.close();
  });

  describe('an order Alpaca has not routed yet (submitted_at: null)', () => {
    it('is readable by id, by client order id and in the open orders, dated by its created_at', async () => {
      const placed = await t.broker.placeOrder(limitOrder('buy', 'SPY', '1', '400'));
      t.clock.advance(5_000);
      t.server.state.unroute(placed.id);

      const byId = await t.broker.getOrder(placed.id);
      const byClientId = await t.broker.getOrderByClientId(placed.clientOrderId);
      const open = await t.broker.listOpenOrders();

      expect(byId).toMatchObject({ id: placed.id, status: 'pending_new' });
      expect(byId.submittedAt.toISOString()).toBe(new Date(CONTRACT_NOW).toISOString());
      expect(byClientId.id).toBe(placed.id);
      expect(open.map((o) => o.id)).toEqual([placed.id]);
    });
  });

  describe('rows of classes the project does not trade', () => {
    it('leaves option and crypto positions out of the positions, and reports them as external', async () => {
      await t.broker.placeOrder(marketBuy('SPY', '2'));
      t.server.state.addExternalPosition(OPTION_POSITION);
      t.server.state.addExternalPosition(CRYPTO_POSITION);

      const positions = await t.broker.getPositions();
      const listing = await t.broker.listPositions();

      expect(positions.map((p) => [p.symbol, p.qty.toString()])).toEqual([['SPY', '2']]);
      expect(listing.external).toEqual([
        { kind: 'position', assetClass: 'us_option', symbol: 'AAPL250620C00100000' },
        { kind: 'position', assetClass: 'crypto', symbol: 'ETH/USD' },
      ]);
      expect(t.log.text()).toContain(
        '2 row(s) of asset or order classes the project does not trade left out',
      );
    });

    (tradingSpecPresent ? it : it.skip)(
      'leaves the spec’s option, crypto and multi-leg order examples out of the open orders, as external',
      async () => {
        const mine = await t.broker.placeOrder(limitOrder('buy', 'SPY', '1', '400'));
        for (const name of ['OptionOrderResponse', 'CryptoOrderResponse', 'MultilegOptionsOrderResponse'])
          t.server.state.addExternalOrder(tradingExample(name));

        const open = await t.broker.listOpenOrders();
        const listing = await t.broker.listOpenOrderRows();

        expect(open.map((o) => o.id)).toEqual([mine.id]);
        expect(listing.external.map((r) => [r.assetClass, r.orderClass, r.symbol])).toEqual([
          ['us_option', 'simple', 'AAPL250620C00100000'],
          ['crypto', '', 'ETH/USD'],
          ['', 'mleg', ''],
        ]);
      },
    );

    it('still refuses an equity row that is malformed: only other classes are set aside', async () => {
      t.server.inject({
        route: 'GET /v2/positions',
        kind: 'status',
        status: 200,
        body: JSON.stringify([OPTION_POSITION, { asset_class: 'us_equity', symbol: 'SPY', side: 'long' }]),
      });
      await expect(t.broker.getPositions()).rejects.toThrow(/1\.qty: missing/);
    });
  });

  describe('a share class: one mapping both ways', () => {
    it('trades BRK/B as BRK.B and reads the order, position, asset and latest price back as BRK/B', async () => {
      const placed = await t.broker.placeOrder(marketBuy('BRK/B', '1'));
      const [position] = await t.broker.getPositions();
      const asset = await t.broker.getAsset(Symbol('BRK/B'));
      const prices = await t.broker.getLatestPrices([Symbol('BRK/B')]);

      expect(placed).toMatchObject({ symbol: 'BRK/B', status: 'filled' });
      expect(position?.symbol).toBe('BRK/B');
      expect(asset.symbol).toBe('BRK/B');
      expect(prices.get(Symbol('BRK/B'))?.price.toString()).toBe('480.25');
      const paths = t.server.requests.map((r) => r.path);
      expect(paths).toContain('/v2/assets/BRK.B');
      expect(paths).toContain('/v2/stocks/trades/latest?symbols=BRK.B&feed=iex');
      expect(paths.some((p) => p.includes('BRK%2FB') || p.includes('BRK/B'))).toBe(false);
    });
  });

  describe('replaced orders', () => {
    it('follows replaced_by from the replaced order to the live one, by id and by client order id', async () => {
      const first = await t.broker.placeOrder(limitOrder('buy', 'SPY', '1', '400'));
      t.server.state.replaceOrder(first.id, { limit_price: '410' });
      const second = ReplacedBy.parse(JSON.parse(t.server.state.orderById(first.id).body)).replaced_by;
      t.server.state.replaceOrder(second, { limit_price: '420', client_order_id: 'replacement-2' });

      const byId = await t.broker.getOrder(first.id);
      const byClientId = await t.broker.getOrderByClientId(first.clientOrderId);

      expect(byId).toMatchObject({ status: 'new', clientOrderId: 'replacement-2' });
      expect(byId.limitPrice?.toString()).toBe('420');
      expect(byClientId.id).toBe(byId.id);
      expect(byId.id).not.toBe(first.id);
      expect(t.log.text()).toContain('order was replaced; following it');
    });

    it('calls a replacement chain that loops malformed instead of following it forever', async () => {
      const first = await t.broker.placeOrder(limitOrder('buy', 'SPY', '1', '400'));
      const looped = JSON.parse(t.server.state.orderById(first.id).body);
      const body = JSON.stringify({ ...looped, status: 'replaced', replaced_by: first.id });
      t.server.inject({ route: 'GET /v2/orders/{id}', kind: 'status', status: 200, body, count: 3 });
      await expect(t.broker.getOrder(BrokerOrderId(first.id))).rejects.toThrow(/do not end/);
    });
  });

  describe('short positions', () => {
    it('are negative, as Alpaca writes them', async () => {
      t.server.state.setPosition('SPY', '-5', '500');
      const [short] = await t.broker.getPositions();
      expect(short?.qty.toString()).toBe('-5');
      expect(short?.marketValue.toString()).toBe('-2500');
    });

    it('take their sign from side, not from the sign of qty', async () => {
      t.server.inject({
        route: 'GET /v2/positions',
        kind: 'status',
        status: 200,
        body: JSON.stringify([
          {
            asset_class: 'us_equity',
            symbol: 'SPY',
            qty: '5',
            side: 'short',
            avg_entry_price: '500',
            market_value: '2500',
          },
          {
            asset_class: 'us_equity',
            symbol: 'QQQ',
            qty: '3',
            side: 'long',
            avg_entry_price: '400',
            market_value: '1200',
          },
        ]),
      });
      const positions = await t.broker.getPositions();
      expect(positions.map((p) => [p.symbol, p.qty.toString(), p.marketValue.toString()])).toEqual([
        ['SPY', '-5', '-2500'],
        ['QQQ', '3', '1200'],
      ]);
    });
  });

  describe('an accepted order whose answer cannot be read', () => {
    it.each([
      ['a body cut off mid-JSON', 200, '{"id":"61e69015-8549'],
      ['a body that is not JSON at all', 200, '<html>upstream reset</html>'],
      ['an empty body', 201, ''],
    ])('with %s is looked up by client order id: placed, not failed or rejected', async (_, status, body) => {
      const request = marketBuy('SPY', '1', cid('cut'));
      t.server.inject({ route: 'POST /v2/orders', kind: 'accept-then-reply', status, body });

      const placed = await t.broker.placeOrder(request);

      expect(placed).toMatchObject({
        clientOrderId: request.clientOrderId,
        status: 'filled',
        alreadyExisted: false,
      });
      expect(t.server.count('POST /v2/orders')).toBe(1);
      expect(t.server.count('GET /v2/orders:by_client_order_id')).toBe(1);
    });
  });
});
