import { InsufficientBuyingPower } from '@books/broker';
import { type RunId, type StrategyId, TradingDate } from '@books/core';
import { readStoredPlan } from '@books/ledger-client';
import { recoverRun, redriveDlq } from '@books/operator';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { STRATEGY_IDS } from '../e2e/support';
import { deliverChaotically } from './harness/chaotic-delivery';
import { InterceptedBroker } from './harness/faulty-broker';
import {
  ACTIVE_DAYS,
  expectInvariants,
  openScenario,
  paperBroker,
  played,
  type Scenario,
} from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(424242);

/** Client order ids whose submit the broker "rejects" after placing it, as a racing duplicate may be answered. */
const rejectAfterPlacing = new Set<string>();

describe(`fault injection: the broker misbehaves (seed ${SEED})`, () => {
  jest.setTimeout(120_000);
  let s: Scenario;
  const [funding, sells1, sells2, sells3, sells4] = ACTIVE_DAYS as [
    TradingDate,
    TradingDate,
    TradingDate,
    TradingDate,
    TradingDate,
  ];

  beforeAll(async () => {
    s = await openScenario('fault-broker', SEED, {
      inject: () => ({
        services: (fn, services) =>
          fn !== 'execution'
            ? services
            : {
                ...services,
                broker: new InterceptedBroker(services.broker, {
                  afterPlace: (request) => {
                    if (rejectAfterPlacing.delete(request.clientOrderId))
                      throw new InsufficientBuyingPower('insufficient buying power (injected after placing)');
                  },
                }),
              },
      }),
    });
  });

  async function drain(): Promise<void> {
    await drainQueue(
      s.world.services.clients.sqs,
      s.world.executionQueueUrl,
      s.world.functions.execution,
      s.world.services.logger,
      { retryDelaySeconds: 0 },
    );
  }

  it('5xx on a share of submits and a burst of 429s: retried by client order id, nothing placed twice', async () => {
    const broker = paperBroker(s.world);
    broker.faults.inject({
      kind: '5xx',
      route: 'placeOrder',
      probability: 0.25,
      count: Number.POSITIVE_INFINITY,
    });
    broker.faults.inject({ kind: '429', route: 'placeOrder', count: 4 });
    await s.world.planDay(funding);
    played(s, funding);
    const report = await deliverChaotically(s.world, s.random, { copies: [1, 2], concurrency: 2 });
    broker.faults.clear();
    expect(report.failures).toBeGreaterThan(0);
    await expectInvariants(s, `5xx and 429 on ${funding}`);
  });

  it('a submit whose answer timed out after acceptance, and one answered with a rejection although placed: each order followed, booked once', async () => {
    const broker = paperBroker(s.world);
    broker.faults.inject({ kind: 'timeout-after-accept', count: 2 });
    await s.world.planDay(sells1);
    const runId = played(s, sells1);
    const plan = (await s.world.services.runs.listRunItems(runId))?.strategies ?? [];
    expect(plan.length).toBeGreaterThan(0);
    // The first SELL message's client order id: its submit places the order, then "fails".
    const received = await drain().then(() => s.world.services.intents.listForRun(runId));
    expect(received.length).toBeGreaterThan(0);
    broker.faults.clear();
    await expectInvariants(s, `timeouts after acceptance on ${sells1}`);

    await s.world.planDay(sells2);
    const run2 = played(s, sells2);
    const first = await s.world.services.runs.listRunItems(run2);
    const momentumPlan = first?.strategies.find((x) => x.pendingSells > 0);
    expect(momentumPlan).toBeDefined();
    // Every order of the day is answered with a rejection once it is placed.
    for (const sid of STRATEGY_IDS)
      for (const id of await plannedIds(s, run2, sid)) rejectAfterPlacing.add(id);
    await drain();
    expect(rejectAfterPlacing.size).toBeLessThan((await s.world.services.intents.listForRun(run2)).length);
    rejectAfterPlacing.clear();
    await expectInvariants(s, `rejections of placed orders on ${sells2}`);
  });

  it('partial fills completed while the message is redelivered', async () => {
    const broker = paperBroker(s.world);
    broker.faults.inject({ kind: 'partial-fill', count: 2, fillRatio: '0.4' });
    await s.world.planDay(sells3);
    const runId = played(s, sells3);
    await deliverChaotically(s.world, s.random, {
      copies: [1, 1],
      concurrency: 1,
      afterRound: async () => {
        await broker.settlePending();
      },
    });
    const intents = await s.world.services.intents.listForRun(runId);
    expect(intents.every((i) => i.state === 'FILLED')).toBe(true);
    await expectInvariants(s, `partial fills on ${sells3}`);
  });

  it('fills arriving after execution gave up: settled at the broker, recovered, the dead-lettered messages redriven, everything final', async () => {
    const broker = paperBroker(s.world);
    broker.faults.inject({ kind: 'delayed-fill', count: 2 });
    await s.world.planDay(sells4);
    const runId = played(s, sells4);
    await drain();
    const stuck = (await s.world.services.intents.listForRun(runId)).filter((i) => i.state === 'SUBMITTED');
    expect(stuck.length).toBeGreaterThan(0);

    // The operator's procedure, until nothing is stuck: the broker fills, `books recover` books
    // what filled (releasing held BUYs), `books dlq redrive` sends back what was dead-lettered.
    let recoveredCount = 0;
    for (let pass = 0; pass < 4; pass++) {
      await broker.settlePending();
      const recovered = await recoverRun(s.world.services, runId);
      recoveredCount += recovered?.intents.filter((i) => i.action === 'recorded').length ?? 0;
      await redriveDlq(s.world.services, s.world.services.env.BOOKS_STAGE);
      await drain();
      const open = (await s.world.services.intents.listForRun(runId)).filter((i) => i.state === 'SUBMITTED');
      if (open.length === 0) break;
    }
    expect(recoveredCount).toBeGreaterThanOrEqual(stuck.length);
    await expectInvariants(s, `late fills on ${sells4}`);
  });

  it('wash-trade rejections: the SELLs end final REJECTED with the reason, and the held BUYs are released from the cash that stayed', async () => {
    const broker = paperBroker(s.world);
    const day = TradingDate('2024-10-09');
    await s.world.planDay(day);
    const runId = played(s, day);
    const sells = [];
    for (const sid of STRATEGY_IDS) {
      const plan = await readStoredPlan(s.world.services.table, runId, sid);
      sells.push(...(plan?.sells ?? []));
    }
    expect(sells.length).toBeGreaterThan(0);
    // On this day only SELLs go out first (the BUYs are held behind them): each is answered
    // "potential wash trade", as when an opposite order placed by hand is open on its symbol.
    broker.faults.inject({ kind: 'wash-trade', count: sells.length });
    await drain();
    broker.faults.clear();
    const intents = await s.world.services.intents.listForRun(runId);
    const sellIntents = intents.filter((i) => i.side === 'sell');
    expect(sellIntents.map((i) => i.state)).toEqual(sellIntents.map(() => 'REJECTED'));
    expect(sellIntents.every((i) => /wash trade/.test(i.reason ?? ''))).toBe(true);
    await expectInvariants(s, `wash-trade rejections on ${day}`);
  });
});

async function plannedIds(s: Scenario, runId: RunId, sid: StrategyId): Promise<string[]> {
  const plan = await readStoredPlan(s.world.services.table, runId, sid);
  return [...(plan?.sells ?? []), ...(plan?.buys ?? [])].map((t) => t.clientOrderId);
}
