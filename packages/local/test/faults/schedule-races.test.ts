import * as z from 'zod';
import { drainQueue } from '../../src/daily-run/queue-poller';
import {
  ACTIVE_DAYS,
  expectInvariants,
  openScenario,
  played,
  runIdOf,
  type Scenario,
} from './harness/scenario';
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

  it("the next day's run starts while the previous day's orders are still executing: it waits for them or their day's unplaced trades expire; both runs end final and the books explain the broker", async () => {
    const s = await openScenario('fault-race', SEED);
    const [funding, first, second] = ACTIVE_DAYS;
    if (!funding || !first || !second) throw new Error('no active days');
    await s.world.runDay(funding);
    played(s, funding);
    await s.world.planDay(first);
    played(s, first);
    // Yesterday's queue is drained while today's run plans (on books that are still moving).
    const [, racing] = await Promise.all([drain(s), s.world.planDay(second)]);
    await Promise.all([drain(s), drain(s)]);
    const refused = PlanOutput.safeParse(racing).data?.plan;
    if (refused) {
      // Refused while yesterday had orders in flight; planned once they are final.
      expect(refused.reason).toMatch(/waiting: run .* still has orders in flight/);
      await s.world.planDay(second);
      await drain(s);
    }
    played(s, second);
    await expectInvariants(s, `${first} racing ${second}`);
  });

  it('two dates planned at once: the later never plans from a book the earlier is still changing', async () => {
    const s = await openScenario('fault-two-dates', SEED);
    const [funding, first, second] = ACTIVE_DAYS;
    if (!funding || !first || !second) throw new Error('no active days');
    await s.world.runDay(funding);
    played(s, funding);
    const outputs = await Promise.all([s.world.planDay(first), s.world.planDay(second)]);
    const [early, late] = outputs.map((o) => PlanOutput.safeParse(o).data?.plan ?? { proceed: true });
    if (early?.proceed) played(s, first);
    if (late?.proceed) played(s, second);
    // An earlier date after a later one is refused outright.
    if (!early?.proceed) expect(early?.reason).toMatch(/refused: .* is before the stage's latest run/);
    await Promise.all([drain(s), drain(s)]);
    // Both went: the earlier's trades were never placed after the later one planned (its session
    // had closed on the clock the later one set), so the later one's books stand.
    if (early?.proceed && late?.proceed) {
      const firstRun = played(s, first);
      for (const i of await s.world.services.intents.listForRun(firstRun)) expect(i.state).toBe('EXPIRED');
    }
    await expectInvariants(s, `${first} and ${second} planned at once`);
  });

  it("a date before the stage's latest run is refused with its reason, and nothing of it is recorded", async () => {
    const s = await openScenario('fault-backwards', SEED);
    const [funding, first, second] = ACTIVE_DAYS;
    if (!funding || !first || !second) throw new Error('no active days');
    await s.world.runDay(funding);
    played(s, funding);
    await s.world.runDay(second);
    played(s, second);
    const backwards = PlanOutput.parse(await s.world.planDay(first));
    expect(backwards.plan).toMatchObject({
      proceed: false,
      reason: expect.stringMatching(
        new RegExp(`refused: ${first} is before the stage's latest run, .*${second}`),
      ),
    });
    expect(await s.world.services.runs.getMeta(runIdOf(s.world, first))).toBeUndefined();
    expect((await drain(s)).delivered).toBe(0);
    await expectInvariants(s, `${first} after ${second}`);
  });
});
