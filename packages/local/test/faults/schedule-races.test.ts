import { z } from 'zod';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { ACTIVE_DAYS, expectInvariants, openScenario, played, type Scenario } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(5150);

const PlanOutput = z.object({ plan: z.object({ proceed: z.boolean(), reason: z.string().optional() }) });

function drain(s: Scenario) {
  return drainQueue(
    s.world.services.clients.sqs,
    s.world.executionQueueUrl,
    s.world.functions.execution,
    s.world.services.logger,
    { retryDelaySeconds: 0 },
  );
}

describe(`fault injection: the schedule fires twice, and runs race (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('two triggers of the same day at once plan it once, and two pollers draining together execute each trade once', async () => {
    const s = await openScenario('fault-twice', SEED);
    const [day] = ACTIVE_DAYS;
    if (!day) throw new Error('no active day');
    const outputs = await Promise.all([
      s.world.planDay(day, { executionId: 'schedule-1530' }),
      s.world.planDay(day, { executionId: 'schedule-1530-again' }),
      s.world.planDay(day, { executionId: 'schedule-1530' }),
    ]);
    played(s, day);
    // A skipped trigger ends in the Skipped state with its plan's reason; a proceeding one in Finish.
    const proceeded = outputs.map((o) => PlanOutput.safeParse(o).data?.plan.proceed !== false);
    const [first, other, retry] = proceeded;
    // Only one execution id proceeds (a retry of the winner reuses its run); never both.
    expect(proceeded.some(Boolean)).toBe(true);
    expect(other && (first || retry)).toBe(false);
    await Promise.all([drain(s), drain(s)]);
    await expectInvariants(s, `two triggers of ${day}`);

    // The schedule fires again later the same day: nothing more is planned or traded.
    const later = PlanOutput.parse(await s.world.planDay(day, { executionId: 'schedule-1230-late' }));
    expect(later.plan).toMatchObject({ proceed: false, reason: expect.stringMatching(/already planned/) });
    expect((await drain(s)).delivered).toBe(0);
    await expectInvariants(s, `a late third trigger of ${day}`);
  });

  it("the next day's run starts while the previous day's orders are still executing: both runs end final and the books explain the broker", async () => {
    const s = await openScenario('fault-race', SEED);
    const [funding, first, second] = ACTIVE_DAYS;
    if (!funding || !first || !second) throw new Error('no active days');
    await s.world.runDay(funding);
    played(s, funding);
    await s.world.planDay(first);
    played(s, first);
    // Yesterday's queue is drained while today's run plans (on books that are still moving).
    await Promise.all([drain(s), s.world.planDay(second).then(() => played(s, second))]);
    await Promise.all([drain(s), drain(s)]);
    await expectInvariants(s, `${first} racing ${second}`);
  });
});
