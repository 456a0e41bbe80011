import { deliverChaotically } from './harness/chaotic-delivery';
import { ACTIVE_DAYS, expectInvariants, openScenario, played } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(20261125);

describe(`fault injection: at-least-once delivery at its worst (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('converges on one order and one trade per planned trade when every message arrives 2–3 times, shuffled, to 3 concurrent invocations', async () => {
    const s = await openScenario('fault-redeliver', SEED);
    let deliveries = 0;
    let messages = 0;
    for (const day of ACTIVE_DAYS) {
      await s.world.planDay(day);
      played(s, day);
      const report = await deliverChaotically(s.world, s.random, { copies: [2, 3], concurrency: 3 });
      deliveries += report.deliveries;
      messages += (await s.world.services.runs.listRunItems(played(s, day)))?.intents.length ?? 0;
      await expectInvariants(s, day);
    }
    expect(deliveries).toBeGreaterThanOrEqual(2 * messages);
    expect(messages).toBeGreaterThanOrEqual(15);
  });
});
