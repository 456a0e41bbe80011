import { StrategyId } from '@books/core';
import { MIXED_EXAMPLES as MIXED, strategiesDirWith } from '../legacy/support';
import { deliverChaotically } from './harness/chaotic-delivery';
import { ACTIVE_DAYS, expectInvariants, openScenario, played } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(20261126);

describe(`fault injection: the merged flow beside a per-strategy book (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('converges on one order per planned trade of the LEGACY book and of the per-strategy book when every message arrives 2–3 times, shuffled, concurrently', async () => {
    const s = await openScenario('fault-legacy', SEED, {
      world: { strategiesDir: strategiesDirWith(MIXED), configFile: 'config.local.json' },
      strategyIds: MIXED.map((m) => StrategyId(m.id)),
    });
    let legacyIntents = 0;
    for (const day of ACTIVE_DAYS) {
      await s.world.planDay(day);
      const runId = played(s, day);
      await deliverChaotically(s.world, s.random, { copies: [2, 3], concurrency: 3 });
      const run = await s.world.services.runs.listRunItems(runId);
      legacyIntents += run?.intents.filter((i) => i.strategyId === 'LEGACY').length ?? 0;
      await expectInvariants(
        s,
        day,
        MIXED.map((m) => StrategyId(m.id)),
      );
    }
    expect(legacyIntents).toBeGreaterThan(0);
    expect((await s.world.services.trades.listLegacy()).length).toBeGreaterThan(0);
  });
});
