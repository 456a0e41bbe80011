import { ClientOrderId, Quantity } from '@books/core';
import { reconcilerFunction } from '@books/reconciler';
import { daysFrom, openWorld } from './support';

describe('the reconciler on the embedded stack', () => {
  jest.setTimeout(120_000);

  it('matches books and broker after real runs, then reports a manual sale at the broker as a DRIFT', async () => {
    const world = await openWorld('recon');
    const days = daysFrom('2024-09-16', 2);
    for (const day of days) await world.runDay(day);
    const reconcileNow = reconcilerFunction(world.services);

    const clean = await reconcileNow({});
    expect(clean).toMatchObject({ ok: true, breaks: [] });

    const [held] = await world.services.broker.getPositions();
    if (!held) throw new Error('the books hold nothing after two days');
    await world.services.broker.placeOrder({
      clientOrderId: ClientOrderId('manual-trade-1'),
      symbol: held.symbol,
      side: 'sell',
      qty: Quantity.parse('1'),
      type: 'market',
      timeInForce: 'day',
    });
    world.clock.advance(60_000);
    const broken = await reconcileNow({});
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toEqual([{ symbol: held.symbol, status: 'DRIFT', unexplained: '-1' }]);
    const [, lastDay] = days;
    if (!lastDay) throw new Error('no sample day');
    const stored = await world.services.recon.latest(lastDay);
    expect(stored?.entries.find((e) => e.symbol === held.symbol)?.status).toBe('DRIFT');
  });
});
