import { Money, marketTimeToInstant, runIdOf, StrategyId, type TradingDate } from '@books/core';
import { LegacyRepository, MigrationRepository } from '@books/ledger-client';
import { type MigrateRequest, migrateStrategy } from '@books/legacy';
import { BrokerMarket } from '@books/runtime';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { checkInvariants, daysFrom } from '../e2e/support';
import { openLegacyWorld, STATIC_STRATEGIES } from './support';

const GOLD = StrategyId('gold_tilt');
const BONDS = StrategyId('bonds_ladder');
const BALANCED = StrategyId('balanced');
const IDS = [BALANCED, GOLD, BONDS];
const INITIAL_CASH = Money.parse('100000');
/** balanced and gold_tilt on the merged flow, bonds_ladder on its own book. */
const STRATEGIES = STATIC_STRATEGIES.map((s) =>
  s.id === 'bonds_ladder' ? { ...s, flow: 'per-strategy' as const } : s,
);

function migrate(world: LocalWorld, after: TradingDate, onChunk?: () => void) {
  const market = new BrokerMarket(world.services.broker);
  const request: MigrateRequest = {
    strategyId: GOLD,
    to: 'per-strategy',
    flag: 'per-strategy',
    dryRun: false,
    at: marketTimeToInstant(after, '18:00').toISOString(),
    by: 'migration-open e2e',
    // One lot per chunk: its share of SPY and GLD takes several.
    lotsPerChunk: 1,
  };
  return migrateStrategy(
    {
      table: world.services.table,
      books: world.services.books,
      legacy: new LegacyRepository(world.services.table),
      migrations: new MigrationRepository(world.services.table),
      flows: world.services.flows,
      assets: (symbols) => market.assets(symbols),
      clock: world.services.clock,
      ...(onChunk ? { onChunk } : {}),
    },
    request,
  );
}

describe('a migration left open by a crash', () => {
  it('holds back its strategy and the merged flow (MIGRATION_OPEN) while the per-strategy ones run; finished, the next run places no order for it', async () => {
    const { world } = await openLegacyWorld('migration-open', STRATEGIES);
    const days = daysFrom('2024-03-01', 4);
    const day = (i: number) => days[i] as TradingDate;
    const expectInvariants = async (step: string) =>
      expect({
        step,
        problems: await checkInvariants(world.services, INITIAL_CASH, { strategyIds: IDS }),
      }).toEqual({ step, problems: [] });
    const runOf = async (date: TradingDate) => {
      const run = await world.services.runs.listRunItems(runIdOf(world.services.env.BOOKS_STAGE, date));
      if (!run) throw new Error(`no run on ${date}`);
      return run;
    };

    await world.runDay(day(0));
    await world.runDay(day(1));
    await expectInvariants('two days');

    // The process dies after the first chunk.
    await expect(
      migrate(world, day(1), () => {
        throw new Error('crash after chunk 1');
      }),
    ).rejects.toThrow('crash after chunk 1');
    const [open] = await new MigrationRepository(world.services.table).list(GOLD);
    expect(open).toMatchObject({ status: 'OPEN', chunksDone: 1 });
    expect(open?.plan.chunks).toBeGreaterThan(1);
    await expectInvariants('mid-migration');

    // The next run: gold_tilt and the merged flow are held back, naming the migration; bonds_ladder runs.
    await world.runDay(day(2));
    const held = await runOf(day(2));
    const note = (sid: StrategyId) => held.strategies.find((s) => s.strategyId === sid);
    expect(note(GOLD)).toMatchObject({
      status: 'SKIPPED',
      skipReason: `MIGRATION_OPEN: migration ${open?.id} of gold_tilt to per-strategy is open: finish it with  books migrate gold_tilt --to per-strategy`,
    });
    expect(note(BALANCED)).toMatchObject({
      status: 'SKIPPED',
      skipReason: expect.stringMatching(/^MIGRATION_OPEN: the legacy book is mid-migration/),
    });
    expect(note(BONDS)?.status).not.toBe('SKIPPED');
    expect(held.intents.filter((i) => i.strategyId !== BONDS)).toEqual([]);
    await expectInvariants('the run held back');

    // Finished by the next attempt: the following run places no order for it or the legacy book.
    const finished = await migrate(world, day(1));
    expect(finished.migration).toMatchObject({ chunksBefore: 1, chunksDone: open?.plan.chunks });
    await expectInvariants('migration finished');
    await world.runDay(day(3));
    const after = await runOf(day(3));
    expect(after.strategies.find((s) => s.strategyId === GOLD)?.status).not.toBe('SKIPPED');
    expect(after.intents.filter((i) => i.strategyId === GOLD || i.strategyId === 'LEGACY')).toEqual([]);
    await expectInvariants('first run after the migration');
  }, 240_000);
});
