import { runPnl } from '@books/cli';
import { Quantity, type TradingDate } from '@books/core';
import { loadBook } from '@books/ledger-client';
import { reconcileAccount, reconciliationPorts } from '@books/reconciliation';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';

describe('a strategy removed from the configuration while its book holds positions', () => {
  jest.setTimeout(180_000);
  let world: LocalWorld;
  const days = daysFrom('2024-09-16', 2) as [TradingDate, TradingDate];

  beforeAll(async () => {
    world = await openWorld('retired');
    for (const day of days) await world.runDay(day);
  });

  /** A configured strategy whose book holds positions, and the configuration without it. */
  async function removeOne() {
    for (const sid of STRATEGY_IDS) {
      const { book } = await loadBook(world.services.books, sid);
      if (book.lots.some((l) => l.openQty.gt(Quantity.ZERO)))
        return { gone: sid, configured: STRATEGY_IDS.filter((s) => s !== sid) };
    }
    throw new Error('no book holds positions after two days');
  }

  it('stays an owner in reconciliation (retired): its positions are explained, no DRIFT', async () => {
    const { gone, configured } = await removeOne();
    const ports = { ...reconciliationPorts(world.services), config: { strategyIds: async () => configured } };
    const { summary, stored } = await reconcileAccount(ports, { date: days[1] });
    expect(summary).toMatchObject({ ok: true, breaks: [], retired: [gone] });
    expect(stored.entries.some((e) => e.byStrategy.some((b) => b.strategyId === gone))).toBe(true);
  });

  it('is shown by books pnl labelled retired', async () => {
    const { gone, configured } = await removeOne();
    let out = '';
    const code = await runPnl(
      {
        services: world.services,
        stage: world.services.env.BOOKS_STAGE,
        strategyIds: configured,
        calendar: SAMPLE_DAYS,
        lastRunDate: days[1],
        now: new Date(),
      },
      { json: false },
      { out: (t) => (out += t), err: () => undefined },
    );
    expect(code).toBe(0);
    expect(out).toContain(`${gone} (retired)`);
  });
});
