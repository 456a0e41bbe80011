import { ClientOrderId, type RunId, type TradingDate } from '@books/core';
import { LedgerRunCompletionStore, runCompletion } from '@books/reconciliation';
import * as z from 'zod';
import { drainQueue, type PollerOptions } from '../../src/daily-run/queue-poller';
import { InjectedCrash } from './harness/crash';
import { InterceptedBroker } from './harness/faulty-broker';
import { withFaultyLedger } from './harness/faulty-dynamodb';
import { ACTIVE_DAYS, expectInvariants, openScenario, played, type Scenario } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(9090);

/** How long a dead holder's symbol lease outlives it, in wall-clock ms (the market clock stands still). */
const LEASE_MS = 1500;

const PlanOutput = z.object({ plan: z.object({ proceed: z.boolean(), reason: z.string().optional() }) });

/**
 * `kill -9` of execution right after an order was submitted (its intent moved NEW → SUBMITTED):
 * from then on that invocation reaches neither DynamoDB nor the broker, so its symbol lease is
 * left behind as a dead process leaves it, and every record of its batch comes back.
 */
interface Kill {
  armed: boolean;
  dead: boolean;
  killed?: string;
}

async function openKillable(prefix: string): Promise<{ s: Scenario; kill: Kill }> {
  const kill: Kill = { armed: false, dead: false };
  const s = await openScenario(prefix, SEED, {
    inject: () => ({
      execution: { leaseMs: LEASE_MS },
      services: (fn, services) => {
        if (fn !== 'execution') return services;
        const dead = (what: string) => {
          if (kill.dead) throw new InjectedCrash('killed', what);
        };
        return {
          ...withFaultyLedger(services, {
            before: (call) => dead(call.op),
            after: (call) => {
              const intent = call.keys.find((k) => k.SK.startsWith('INTENT#'));
              if (!kill.armed || !intent || call.op !== 'UpdateItem') return;
              kill.armed = false;
              kill.dead = true;
              kill.killed = intent.SK.slice('INTENT#'.length);
              throw new InjectedCrash('after order-submitted', intent.SK);
            },
          }),
          broker: new InterceptedBroker(services.broker, { beforePlace: (r) => dead(r.clientOrderId) }),
        };
      },
      // The process is gone when its invocation ends: the next one is a new process.
      handler: (fn, h) =>
        fn !== 'execution'
          ? h
          : async (event) => {
              try {
                return await h(event);
              } finally {
                kill.dead = false;
              }
            },
    }),
  });
  return { s, kill };
}

function drain(s: Scenario, options: PollerOptions = {}) {
  return drainQueue(
    s.world.services.clients.sqs,
    s.world.executionQueueUrl,
    s.world.functions.execution,
    s.world.services.logger,
    { retryDelaySeconds: 0, ...options },
  );
}

/** DailyRun's end: a refused run ends Skipped with its plan's reason, a planned one in Finish. */
async function planOutcome(s: Scenario, day: TradingDate): Promise<{ proceed: boolean; reason?: string }> {
  const skipped = PlanOutput.safeParse(await s.world.planDay(day));
  return skipped.success ? skipped.data.plan : { proceed: true };
}

async function completion(s: Scenario, runId: RunId) {
  const snapshot = await new LedgerRunCompletionStore(s.world.services.table).snapshot(runId);
  if (!snapshot) throw new Error(`run ${runId} does not exist`);
  return runCompletion(snapshot);
}

describe(`fault injection: execution killed after an order was submitted, then the day again, then the next day (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('the day run again finishes the killed order once (its dead lease ends on the wall clock), and the next day plans from complete books', async () => {
    const { s, kill } = await openKillable('fault-kill-rerun');
    const [funding, first, second] = ACTIVE_DAYS as [TradingDate, TradingDate, TradingDate];
    await s.world.runDay(funding);
    played(s, funding);

    kill.armed = true;
    await s.world.planDay(first);
    const firstRun = played(s, first);
    await drain(s, { maxRounds: 1 });
    const killed = kill.killed;
    if (!killed) throw new Error('execution was never killed');
    // The dead process left its symbol lease behind.
    const intent = await s.world.services.intents.get(firstRun, ClientOrderId(killed));
    const lease = await s.world.services.table.getItem({ PK: `LOCK#SYMBOL#${intent?.symbol}`, SK: 'LOCK' });
    expect(lease?.owner?.S).toBe(killed);

    // The day again (a retry of its execution: nothing planned twice), its queue drained; the
    // killed order is followed, not placed again.
    await s.world.planDay(first);
    await drain(s);
    expect(await completion(s, firstRun)).toEqual({ complete: true });

    expect(await planOutcome(s, second)).toMatchObject({ proceed: true });
    played(s, second);
    await drain(s);
    await expectInvariants(s, `killed on ${first}, ${first} again, then ${second}`);
  });

  it("the next day straight after the kill waits for the order in flight; then the killed day's unplaced trades expire and the next day plans from books that hold everything", async () => {
    const { s, kill } = await openKillable('fault-kill-next');
    const [funding, first, second] = ACTIVE_DAYS as [TradingDate, TradingDate, TradingDate];
    await s.world.runDay(funding);
    played(s, funding);

    kill.armed = true;
    await s.world.planDay(first);
    const firstRun = played(s, first);
    await drain(s, { maxRounds: 1 });
    const killed = kill.killed;
    if (!killed) throw new Error('execution was never killed');

    // Refused while the killed order is in flight, naming it.
    const refused = await planOutcome(s, second);
    expect(refused).toMatchObject({ proceed: false });
    expect(refused.reason).toMatch(/waiting: run .* still has orders in flight/);
    expect(refused.reason).toContain(killed);

    // The killed day's messages delivered on the next day: the submitted order is recorded,
    // every trade not placed yet ends EXPIRED with its reason, none is placed a day late.
    await drain(s);
    expect(await completion(s, firstRun)).toEqual({ complete: true });
    const intents = await s.world.services.intents.listForRun(firstRun);
    expect(intents.find((i) => i.clientOrderId === killed)?.state).toMatch(
      /FILLED|CANCELED|EXPIRED|REJECTED/,
    );
    const expired = intents.filter((i) => i.state === 'EXPIRED');
    expect(expired.length).toBeGreaterThan(0);
    for (const i of expired) expect(i.reason).toMatch(/trading session \(.*\) closed/);

    expect(await planOutcome(s, second)).toMatchObject({ proceed: true });
    played(s, second);
    await drain(s);
    await expectInvariants(s, `killed on ${first}, then ${second}`);
  });
});
