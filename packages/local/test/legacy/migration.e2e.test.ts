import { LEGACY, Money, marketTimeToInstant, runIdOf, StrategyId, type TradingDate } from '@books/core';
import { LegacyRepository, loadBook, MigrationRepository } from '@books/ledger-client';
import { migrateStrategy, readShadowReports } from '@books/legacy';
import { BrokerMarket } from '@books/runtime';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { checkInvariants, daysFrom } from '../e2e/support';
import { openLegacyWorld, STATIC_STRATEGIES } from './support';

const IDS = STATIC_STRATEGIES.map((s) => StrategyId(s.id));
const INITIAL_CASH = Money.parse('100000');
const GOLD = StrategyId('gold_tilt');

async function expectInvariants(world: LocalWorld, step: string): Promise<void> {
  const problems = await checkInvariants(world.services, INITIAL_CASH, { strategyIds: IDS });
  expect({ step, problems }).toEqual({ step, problems: [] });
}

/** The orders a run placed, per book (a strategy's own, or LEGACY). */
async function ordersOf(world: LocalWorld, date: TradingDate): Promise<Record<string, string[]>> {
  const run = await world.services.runs.listRunItems(runIdOf(world.services.env.BOOKS_STAGE, date));
  if (!run) throw new Error(`no run on ${date}`);
  const out: Record<string, string[]> = {};
  for (const i of run.intents) out[i.strategyId] = [...(out[i.strategyId] ?? []), `${i.side} ${i.symbol}`];
  return out;
}

async function migrate(
  world: LocalWorld,
  sid: StrategyId,
  to: 'per-strategy' | 'legacy',
  after: TradingDate,
) {
  const market = new BrokerMarket(world.services.broker);
  return migrateStrategy(
    {
      table: world.services.table,
      books: world.services.books,
      legacy: new LegacyRepository(world.services.table),
      migrations: new MigrationRepository(world.services.table),
      flows: world.services.flows,
      assets: (symbols) => market.assets(symbols),
      clock: world.services.clock,
    },
    {
      strategyId: sid,
      to,
      flag: to,
      dryRun: false,
      at: marketTimeToInstant(after, '18:00').toISOString(),
      by: 'migration e2e',
    },
  );
}

describe('the legacy flow and migration between flows', () => {
  it('trades 3 strategies through the legacy book, shadows one, migrates it and back without an order, then migrates all three; the books explain the broker at every step', async () => {
    const { world } = await openLegacyWorld('legacy-migrate', STATIC_STRATEGIES);
    const days = daysFrom('2024-03-01', 15);
    const day = (i: number) => days[i] as TradingDate;

    // Five days on the merged flow: every trade is the LEGACY book's, attributed to the strategies.
    for (let i = 0; i < 5; i++) {
      await world.runDay(day(i));
      await expectInvariants(world, `legacy day ${i + 1}`);
    }
    expect(Object.keys(await ordersOf(world, day(0)))).toEqual([LEGACY]);
    const legacyTrades = await world.services.trades.listLegacy();
    expect(legacyTrades.length).toBeGreaterThan(0);
    const spy = legacyTrades.find((t) => t.symbol === 'SPY');
    expect(spy?.strategyWeights.map((w) => w.strategyId).sort()).toEqual(['balanced', 'gold_tilt']);
    for (const sid of IDS) expect((await loadBook(world.services.books, sid)).book.lots).toEqual([]);

    // Five days with gold_tilt in shadow: still traded by the legacy book, its own plan recorded, not traded.
    await world.services.flows.set(GOLD, 'shadow');
    for (let i = 5; i < 10; i++) {
      await world.runDay(day(i));
      await expectInvariants(world, `shadow day ${i - 4}`);
      const [report] = await readShadowReports(
        world.services.table,
        runIdOf(world.services.env.BOOKS_STAGE, day(i)),
      );
      expect(report?.strategyId).toBe(GOLD);
      // Its own book would hold what the legacy book holds for it: its own plan would not trade.
      expect(report?.perStrategyTrades).toEqual([]);
      expect((await ordersOf(world, day(i)))[GOLD]).toBeUndefined();
    }

    // Migrate gold_tilt: its share moves to its own book, the flag flips, the next run places no order.
    const carved = await migrate(world, GOLD, 'per-strategy', day(9));
    expect(carved.status).toBe('migrated');
    expect(carved.migration?.moved.map((m) => m.symbol).sort()).toEqual(['GLD', 'SPY']);
    await expectInvariants(world, 'after the carve-out');
    expect((await world.services.flows.read()).get(GOLD)).toBe('per-strategy');
    await world.runDay(day(10));
    expect(await ordersOf(world, day(10))).toEqual({});
    await expectInvariants(world, 'first per-strategy day of gold_tilt');

    // Roll it back: its book folds into the legacy book; the next run places no order either.
    const folded = await migrate(world, GOLD, 'legacy', day(10));
    expect(folded.status).toBe('migrated');
    expect((await loadBook(world.services.books, GOLD)).book.lots).toEqual([]);
    await expectInvariants(world, 'after the rollback');
    await world.runDay(day(11));
    expect(await ordersOf(world, day(11))).toEqual({});
    await expectInvariants(world, 'first legacy day after the rollback');

    // Migrate all three: the legacy book is emptied into the three books; no order follows.
    for (const sid of IDS)
      expect((await migrate(world, sid, 'per-strategy', day(11))).status).toBe('migrated');
    const legacy = await loadBook(world.services.books, LEGACY);
    expect(legacy.book.lots).toEqual([]);
    expect(legacy.book.cash.lt(Money.parse('0.05'))).toBe(true);
    await expectInvariants(world, 'after migrating all three');
    await world.runDay(day(12));
    expect(await ordersOf(world, day(12))).toEqual({});
    for (let i = 13; i < 15; i++) {
      await world.runDay(day(i));
      await expectInvariants(world, `per-strategy day ${i - 12}`);
    }
  }, 240_000);
});
