import { Money, marketTimeToInstant, Price, Symbol, type TradingDate } from '@books/core';
import { loadBook } from '@books/ledger-client';
import { latestPrices, strategyPnl, strategyPositions, strategyTrades } from '@books/operator';
import { positionsOf } from '@books/portfolio';
import { verifyBook } from '@books/reconciliation';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, STRATEGY_IDS } from '../e2e/support';

/** Three trading days of the example strategies on their own table of the embedded test stack. */
describe('book queries over a real ledger', () => {
  jest.setTimeout(300_000);
  let world: LocalWorld;
  const days: TradingDate[] = daysFrom('2024-03-01', 4);

  beforeAll(async () => {
    world = await openWorld('qbooks');
    for (const day of days) {
      const result = await world.runDay(day);
      expect(result.drain.failed).toBe(0);
    }
  });

  it('gives each strategy the positions of its stored lots', async () => {
    let held = 0;
    for (const sid of STRATEGY_IDS) {
      const rows = await strategyPositions(world.services, sid);
      const { book } = await loadBook(world.services.books, sid);
      expect(rows.map((r) => [r.symbol, r.qty, r.cost])).toEqual(
        positionsOf(book).map((p) => [p.symbol, p.qty.toString(), p.cost.toString()]),
      );
      held += rows.length;
    }
    expect(held).toBeGreaterThan(0);
  });

  it("values each book at the broker's latest prices: equity = positions at mark + cash, realized from the cash item", async () => {
    for (const sid of STRATEGY_IDS) {
      const pnl = await strategyPnl(world.services, sid);
      const stored = await world.services.books.readBook(sid);
      expect(pnl.exists).toBe(true);
      expect(pnl.cash.eq(stored?.cash.cash ?? Money.ZERO)).toBe(true);
      expect(pnl.realizedPnl.eq(stored?.cash.realizedPnl ?? Money.ZERO)).toBe(true);
      expect(pnl.equity.eq(pnl.marketValue.plus(pnl.cash))).toBe(true);
      expect(pnl.unrealizedPnl.eq(Money.sum(pnl.positions.map((p) => p.unrealizedPnl)))).toBe(true);
      expect(pnl.transfersTotal.eq(Money.sum((stored?.transfers ?? []).map((t) => t.amount)))).toBe(true);
      const marks = await latestPrices(
        world.services,
        pnl.positions.map((p) => p.symbol),
      );
      for (const p of pnl.positions) expect(p.price).toBe(marks.get(Symbol(p.symbol))?.toString());
    }
  });

  it('values a book at the prices it is given instead of the broker', async () => {
    const pnls = await Promise.all(STRATEGY_IDS.map((sid) => strategyPnl(world.services, sid)));
    const atBroker = pnls.find((p) => p.positions.length > 0);
    if (!atBroker) throw new Error('no strategy holds anything');
    const sid = atBroker.strategyId;
    const doubled = new Map(atBroker.positions.map((p) => [Symbol(p.symbol), Price.parse(p.price).times(2)]));
    const atGiven = await strategyPnl(world.services, sid, doubled);
    expect(atGiven.marketValue.eq(atBroker.marketValue.times(2))).toBe(true);
    expect(atGiven.cash.eq(atBroker.cash)).toBe(true);
    expect(atGiven.realizedPnl.eq(atBroker.realizedPnl)).toBe(true);
  });

  it('fails rather than value a held symbol at nothing when a price is missing', async () => {
    for (const sid of STRATEGY_IDS) {
      const rows = await strategyPositions(world.services, sid);
      if (rows.length > 0) {
        await expect(strategyPnl(world.services, sid, new Map())).rejects.toThrow(/price/i);
        return;
      }
    }
    throw new Error('no strategy holds anything');
  });

  it('lists trades over [from, to): the days partition all the trades', async () => {
    for (const sid of STRATEGY_IDS) {
      const all = await strategyTrades(world.services, sid);
      const perDay = [];
      for (const day of days) {
        const from = marketTimeToInstant(day, '00:00').toISOString();
        const to = marketTimeToInstant(day, '23:59').toISOString();
        const trades = await strategyTrades(world.services, sid, { from, to });
        for (const t of trades) {
          expect(t.filledAt >= from && t.filledAt < to).toBe(true);
          expect(t.strategyId).toBe(sid);
        }
        perDay.push(...trades);
      }
      expect(perDay.map((t) => t.orderId)).toEqual(all.map((t) => t.orderId));
    }
  });

  it('finds every book equal to its rebuild from its trades and transfers', async () => {
    for (const sid of STRATEGY_IDS) {
      const check = await verifyBook(world.services, sid);
      expect(check).toMatchObject({ strategyId: sid, matches: true, differences: [] });
      expect(check.transfers).toBeGreaterThan(0);
    }
  });

  it('reports a stored book that differs from its ledger, and leaves it as it is', async () => {
    const sid = STRATEGY_IDS[0];
    if (!sid) throw new Error('no strategy');
    const stored = await world.services.books.readBook(sid);
    if (!stored) throw new Error('no book');
    const tampered = stored.cash.cash.plus(Money.parse('0.01'));
    await world.services.books.updateCash({ ...stored.cash, cash: tampered }, stored.cash.version);
    const check = await verifyBook(world.services, sid);
    expect(check.matches).toBe(false);
    expect(check.differences).toEqual([`cash: ${tampered} ≠ ${stored.cash.cash}`]);
    const after = await world.services.books.readBook(sid);
    expect(after?.cash.cash.eq(tampered)).toBe(true);
  });
});
