import { runAdjust } from '@books/cli';
import { Money, type TradingDate } from '@books/core';
import { keys, loadBook } from '@books/ledger-client';
import { reconcilerFunction } from '@books/reconciler';
import { verifyBook } from '@books/reconciliation';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { checkInvariants, daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';

describe('a lot deleted from a stored book', () => {
  jest.setTimeout(300_000);
  const days = daysFrom('2024-09-16', 2);

  async function adjust(world: LocalWorld, strategy: string, reason: string) {
    let out = '';
    let err = '';
    const code = await runAdjust(
      {
        services: world.services,
        stage: world.services.env.BOOKS_STAGE,
        strategyIds: STRATEGY_IDS,
        calendar: SAMPLE_DAYS,
        lastRunDate: days[1] as TradingDate,
        now: new Date(),
      },
      { strategy, reason, restore: true, json: false },
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    return { code, out, err };
  }

  it('is found by reconcile as a break of its quantity, restored from the ledger by adjust --restore-from-ledger, and the next reconcile is MATCH', async () => {
    const world = await openWorld('dellot');
    for (const day of days) await world.runDay(day);
    const [sid] = STRATEGY_IDS;
    if (!sid) throw new Error('no strategy');
    const { book } = await loadBook(world.services.books, sid);
    const [lot] = book.lots;
    if (!lot) throw new Error(`${sid} holds nothing after two days`);
    await world.services.table.transact([world.services.books.closeLotItem({ strategyId: sid, ...lot })]);

    const broken = await reconcilerFunction(world.services)({});
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toEqual([
      expect.objectContaining({ symbol: lot.symbol, unexplained: lot.openQty.toString() }),
    ]);
    expect(['DRIFT', 'UNOWNED']).toContain(broken.breaks[0]?.status);
    expect((await verifyBook(world.services, sid)).differences.join('\n')).toMatch(/lot only rebuilt/);

    const r = await adjust(world, sid, 'lot item deleted by hand on 2024-09-17; the trade is in the ledger');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`lot restored: ${lot.symbol} ${lot.openQty}`);

    expect(await reconcilerFunction(world.services)({})).toMatchObject({ ok: true, breaks: [] });
    expect((await verifyBook(world.services, sid)).matches).toBe(true);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
    const audit = await world.services.table.queryAll({ partition: keys.adjustments(sid) });
    expect(audit.map((a) => a.note?.S)).toEqual([
      'lot item deleted by hand on 2024-09-17; the trade is in the ledger',
    ]);

    const again = await adjust(world, sid, 'again');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/nothing to restore/);
  });
});
