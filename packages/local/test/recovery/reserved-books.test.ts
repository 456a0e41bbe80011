import { ClientOrderId, EXTERNAL, LEGACY, Money, notional, Quantity, Symbol, TradingDate } from '@books/core';
import { PoolRepository } from '@books/ledger-client';
import { reconcilerFunction } from '@books/reconciler';
import { openWorld } from '../e2e/support';

describe('the reconciler counts the reserved books', () => {
  jest.setTimeout(120_000);

  it('explains a broker position held by the LEGACY book (MATCH, held by LEGACY) and never records it into EXTERNAL', async () => {
    const world = await openWorld('legacybook');
    const { broker, books, table } = world.services;
    const { clock } = world;
    clock.set(new Date('2024-09-16T19:30:00Z'));
    const symbol = Symbol('SPY');
    // The stage's first run would have opened the pool with the account's cash.
    await new PoolRepository(table).open(
      (await broker.getAccount()).cash,
      clock.now().toISOString(),
      'stage start',
    );
    await broker.placeOrder({
      clientOrderId: ClientOrderId('legacy-flow-order-1'),
      symbol,
      side: 'buy',
      qty: Quantity.parse('3.25'),
      type: 'market',
      timeInForce: 'day',
    });
    clock.advance(60_000);
    const order = await broker.getOrderByClientId(ClientOrderId('legacy-flow-order-1'));
    if (!order.filledAvgPrice) throw new Error('the order did not fill');
    const at = clock.now().toISOString();
    const cost = notional(Quantity.parse('3.25'), order.filledAvgPrice);
    // The legacy flow's book, as it stores it: an ordinary book under the reserved LEGACY id.
    await table.transact([
      books.openCashItem({
        strategyId: LEGACY,
        cash: cost.negated(),
        realizedPnl: Money.ZERO,
        updatedAt: at,
      }),
      books.openLotItem({
        strategyId: LEGACY,
        symbol,
        openedAt: at,
        orderId: order.id,
        openQty: Quantity.parse('3.25'),
        openPrice: order.filledAvgPrice,
        cost,
      }),
    ]);

    const result = await reconcilerFunction(world.services)({ date: '2024-09-16' });
    expect(result).toMatchObject({ ok: true, breaks: [], external: [] });
    const stored = await world.services.recon.latest(TradingDate('2024-09-16'));
    expect(stored?.entries).toEqual([
      {
        symbol,
        status: 'MATCH',
        booksQty: Quantity.parse('3.25'),
        brokerQty: Quantity.parse('3.25'),
        byStrategy: [{ strategyId: LEGACY, qty: Quantity.parse('3.25') }],
      },
    ]);
    expect(await world.services.trades.listByStrategy(EXTERNAL)).toEqual([]);
  });

  it('records an unowned position into EXTERNAL once when two reconciliations run at the same time', async () => {
    const world = await openWorld('extconcurrent');
    const { broker } = world.services;
    world.clock.set(new Date('2024-09-16T19:30:00Z'));
    await broker.placeOrder({
      clientOrderId: ClientOrderId('by-hand-1'),
      symbol: Symbol('TLT'),
      side: 'buy',
      qty: Quantity.parse('4'),
      type: 'market',
      timeInForce: 'day',
    });
    world.clock.advance(60_000);
    const reconcile = reconcilerFunction(world.services);
    const results = await Promise.all([reconcile({}), reconcile({})]);
    for (const r of results)
      expect(r.breaks).toEqual([{ symbol: 'TLT', status: 'UNOWNED', unexplained: '4' }]);
    const trades = await world.services.trades.listByStrategy(EXTERNAL);
    expect(trades.map((t) => `${t.side} ${t.filledQty} ${t.symbol}`)).toEqual(['buy 4 TLT']);
    expect((await reconcile({})).external).toEqual([{ symbol: 'TLT', qty: '4' }]);
    expect(await world.services.trades.listByStrategy(EXTERNAL)).toHaveLength(1);
  });
});
