import { runReconcile } from '@books/cli';
import { ClientOrderId, Quantity, type TradingDate } from '@books/core';
import type { QueryContext } from '@books/operator';
import { ledgerLatestRunDate } from '@books/operator';
import * as z from 'zod';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';

describe('books reconcile on a real ledger', () => {
  jest.setTimeout(180_000);
  let world: LocalWorld;
  const [day1, day2] = daysFrom('2024-09-16', 2) as [TradingDate, TradingDate];

  beforeAll(async () => {
    world = await openWorld('reccli');
    await world.runDay(day1);
    await world.runDay(day2);
  });

  function ctx(): QueryContext {
    return {
      services: world.services,
      stage: world.services.env.BOOKS_STAGE,
      strategyIds: STRATEGY_IDS,
      calendar: SAMPLE_DAYS,
      lastRunDate: day2,
      now: new Date(),
    };
  }

  async function reconcile(args: { date?: string; json: boolean }) {
    let out = '';
    let err = '';
    const code = await runReconcile(ctx(), args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  it('exits 0 and prints every symbol as MATCH with its holders and the cash line when the books explain the account', async () => {
    const r = await reconcile({ json: false });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`reconciliation ${day2}`);
    expect(r.out).toMatch(/symbol\s+status\s+broker qty\s+books qty\s+unexplained\s+held by/);
    expect(r.out).toMatch(/MATCH/);
    expect(r.out).not.toMatch(/DRIFT|PHANTOM|UNOWNED/);
    expect(r.out).toMatch(/cash MATCH: broker \S+ = books \S+ \+ unallocated \S+/);
  });

  it('finds the stage’s latest run on the ledger, with no local cursor file', async () => {
    expect(await ledgerLatestRunDate(world.services.table, world.services.env.BOOKS_STAGE)).toBe(day2);
    expect(await ledgerLatestRunDate(world.services.table, 'never-ran')).toBeUndefined();
  });

  it('says the stage has no run, exit 2, instead of reconciling a made-up date when neither a run nor --date is known', async () => {
    const { lastRunDate: _known, ...noRun } = ctx();
    let err = '';
    const code = await runReconcile(noRun, { json: false }, { out: () => undefined, err: (t) => (err += t) });
    expect(code).toBe(2);
    expect(err).toMatch(/has no run yet .*--date/);
    expect(err).not.toMatch(/1999/);
  });

  it('rejects a malformed --date with exit 2', async () => {
    const r = await reconcile({ date: '2024-13-45', json: false });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/books reconcile/);
  });

  it('exits 1 and names the symbol as DRIFT with its unexplained quantity after a manual sale at the broker', async () => {
    const [held] = await world.services.broker.getPositions();
    if (!held) throw new Error('the books hold nothing after two days');
    await world.services.broker.placeOrder({
      clientOrderId: ClientOrderId('manual-reconcile-cli-1'),
      symbol: held.symbol,
      side: 'sell',
      qty: Quantity.parse('1'),
      type: 'market',
      timeInForce: 'day',
    });
    world.clock.advance(60_000);
    const text = await reconcile({ json: false });
    expect(text.code).toBe(1);
    expect(text.out).toMatch(new RegExp(`${held.symbol}\\s+DRIFT`));
    expect(text.out).toContain('1 break(s)');
    // Each holder of the symbol carries its pro-rata share of the unexplained -1, never all of it guessed into one.
    const row = text.out.split('\n').find((l) => l.includes(`${held.symbol} `) && l.includes('DRIFT')) ?? '';
    const shares = [...row.matchAll(/\(share (-?[0-9.]+)\)/g)].map((m) => Quantity.parse(m[1] ?? '0'));
    expect(shares.length).toBeGreaterThan(0);
    expect(Quantity.sum(shares).round(6).toString()).toBe('-1');

    const asJson = await reconcile({ json: true });
    expect(asJson.code).toBe(1);
    const parsed = z
      .object({
        ok: z.boolean(),
        symbols: z.array(z.object({ symbol: z.string(), status: z.string(), unexplained: z.string() })),
      })
      .parse(JSON.parse(asJson.out));
    expect(parsed.ok).toBe(false);
    expect(parsed.symbols.find((s) => s.symbol === held.symbol)).toMatchObject({
      status: 'DRIFT',
      unexplained: '-1',
    });
  });
});
