import { join } from 'node:path';
import { marketTimeToInstant, runIdOf, StrategyId, type TradingDate } from '@books/core';
import { LegacyRepository, MigrationRepository } from '@books/ledger-client';
import { type MigrateResult, migrateStrategy } from '@books/legacy';
import { BrokerMarket, type Services } from '@books/runtime';
import { MIXED_EXAMPLES as MIXED, strategiesDirWith } from '../legacy/support';
import { InjectedCrash } from './harness/crash';
import { type DynamoCall, withFaultyLedger } from './harness/faulty-dynamodb';
import { ACTIVE_DAYS, expectInvariants, openScenario, played, type Scenario } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(20261206);
const IDS = MIXED.map((m) => StrategyId(m.id));
/** On the merged flow in MIXED_EXAMPLES: its share of the legacy book is carved out and folded back. */
const SID = StrategyId('momentum');

/** A chunk's transaction: it advances the migration's record. */
const isChunk = (call: DynamoCall) =>
  call.op === 'TransactWriteItems' &&
  call.keys.some((k) => k.SK.startsWith('MIGRATION#') && k.write === 'update');

function migrate(
  services: Services,
  to: 'per-strategy' | 'legacy',
  after: TradingDate,
  dryRun = false,
): Promise<MigrateResult> {
  const market = new BrokerMarket(services.broker);
  return migrateStrategy(
    {
      table: services.table,
      books: services.books,
      legacy: new LegacyRepository(services.table),
      migrations: new MigrationRepository(services.table),
      flows: services.flows,
      assets: (symbols) => market.assets(symbols),
      clock: services.clock,
    },
    {
      strategyId: SID,
      to,
      flag: to,
      dryRun,
      at: marketTimeToInstant(after, '18:00').toISOString(),
      by: 'fault suite',
      // One lot per chunk: several chunks, so a crash can fall between them.
      lotsPerChunk: 1,
    },
  );
}

/**
 * Migrates with the process dying at a seeded chunk: before its transaction (nothing of it
 * written) or after it (committed, the process never learns it); returns where it died.
 */
async function crashMigration(s: Scenario, to: 'per-strategy' | 'legacy', after: TradingDate) {
  const dry = await migrate(s.world.services, to, after, true);
  const chunks = dry.migration?.chunks ?? 0;
  expect({ seed: s.seed, chunks: chunks > 1 }).toEqual({ seed: s.seed, chunks: true });
  const at = s.random.int(1, chunks);
  const when = s.random.chance(0.5) ? 'before' : 'after';
  let seen = 0;
  const crash = (call: DynamoCall) => {
    if (isChunk(call) && ++seen === at) throw new InjectedCrash(`${when} chunk ${at} of ${chunks}`, SID);
  };
  const faulty = withFaultyLedger(s.world.services, when === 'before' ? { before: crash } : { after: crash });
  // The ledger wraps what its client threw (the process died inside the call).
  await expect(migrate(faulty, to, after)).rejects.toThrow(/injected crash at (before|after) chunk/);
  return { chunks, at, when };
}

describe(`fault injection: a migration between the flows crashed mid-way (seed ${SEED})`, () => {
  jest.setTimeout(240_000);

  it('a crash before or after a chunk leaves the books explaining the broker; the run holds the strategy and the merged flow back; the next attempt finishes it; both directions', async () => {
    const strategiesDir = strategiesDirWith(MIXED);
    const s = await openScenario('fault-migrate', SEED, {
      world: {
        strategiesDir,
        configFile: 'config.local.json',
        flowFlagsFile: join(strategiesDir, 'flows.json'),
      },
      strategyIds: IDS,
    });
    const migrations = new MigrationRepository(s.world.services.table);
    const day = (i: number) => ACTIVE_DAYS[i] as TradingDate;
    const playDay = async (i: number) => {
      await s.world.runDay(day(i));
      played(s, day(i));
      await expectInvariants(s, `day ${day(i)}`, IDS);
    };
    /** The day's run while a migration is open: SID and the merged flow held back, naming it. */
    const playHeldBack = async (i: number) => {
      const open = await migrations.open(SID);
      await playDay(i);
      if (!open) return;
      const run = await s.world.services.runs.listRunItems(runIdOf(s.world.services.env.BOOKS_STAGE, day(i)));
      const reason = run?.strategies.find((r) => r.strategyId === SID)?.skipReason ?? '';
      expect({ seed: s.seed, reason }).toEqual({
        seed: s.seed,
        reason: expect.stringContaining(`MIGRATION_OPEN: migration ${open.id}`),
      });
      expect(run?.intents.filter((t) => t.strategyId === SID || t.strategyId === 'LEGACY')).toEqual([]);
    };

    await playDay(0);
    await playDay(1);

    for (const [to, after, next] of [
      ['per-strategy', day(1), 2],
      ['legacy', day(2), 3],
    ] as const) {
      const crash = await crashMigration(s, to, after);
      await expectInvariants(s, `a crash ${crash.when} chunk ${crash.at}/${crash.chunks} to ${to}`, IDS);
      await playHeldBack(next);
      const finished = await migrate(s.world.services, to, after);
      expect({ seed: s.seed, crash, status: finished.status }).toEqual({
        seed: s.seed,
        crash,
        // A crash after the last chunk committed everything but the flag: the retry only sets it.
        status: crash.when === 'after' && crash.at === crash.chunks ? 'already' : 'migrated',
      });
      expect(await migrations.open(SID)).toBeUndefined();
      await expectInvariants(s, `finished to ${to}`, IDS);
    }
    await playDay(4);
  });
});
