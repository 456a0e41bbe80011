import { PaperBroker } from '@books/broker';
import { runRecover } from '@books/cli';
import { ClientOrderId, createLogger, Money, Quantity, RunId, runIdOf, type TradingDate } from '@books/core';
import { LedgerIntentStore } from '@books/execution';
import { NOT_FOUND_AT_BROKER, recoverRun, redriveDlq } from '@books/operator';
import { reconcilerFunction } from '@books/reconciler';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { drainQueue } from '../../src/daily-run/queue-poller';
import {
  checkInvariants,
  daysFrom,
  ledgerSnapshot,
  openWorld,
  SAMPLE_DAYS,
  STRATEGY_IDS,
} from '../e2e/support';

describe('books recover on the embedded stack', () => {
  jest.setTimeout(300_000);

  function paper(world: LocalWorld): PaperBroker {
    const broker = world.services.broker;
    if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
    return broker;
  }

  /**
   * The orders that waited behind the working one on its symbol were dead-lettered too: once it is
   * recovered, redriving them completes the run (every intent final).
   */
  async function redriveTheRest(world: LocalWorld) {
    await redriveDlq(world.services, world.services.env.BOOKS_STAGE);
    const drain = await drainQueue(
      world.services.clients.sqs,
      world.executionQueueUrl,
      world.functions.execution,
      createLogger({ service: 'recover-test' }, { level: 'silent', destination: { write: () => true } }),
      { retryDelaySeconds: 0 },
    );
    expect(drain.failed).toBe(0);
  }

  async function intentsOf(world: LocalWorld, runId: RunId) {
    return (await world.services.runs.listRunItems(runId))?.intents ?? [];
  }

  it('books a fill that arrived after execution gave up exactly once, leaves a working order alone, and changes nothing when run again', async () => {
    const world = await openWorld('recover');
    const [day] = daysFrom('2024-09-16', 1) as [TradingDate];
    const runId = runIdOf(world.services.env.BOOKS_STAGE, day);
    paper(world).faults.inject({ kind: 'delayed-fill', count: 1 });

    const result = await world.runDay(day);
    expect(result.drain.failed).toBeGreaterThanOrEqual(1);
    const stuck = (await intentsOf(world, runId)).filter((i) => i.state === 'SUBMITTED');
    expect(stuck).toHaveLength(1);
    const [pending] = stuck;
    if (!pending) throw new Error('no stuck intent');

    // Before the broker fills it, recovery reports the order as working and writes nothing.
    const early = await recoverRun(world.services, runId);
    expect(early?.intents).toEqual([
      expect.objectContaining({
        clientOrderId: pending.clientOrderId,
        action: 'still-working',
        now: 'SUBMITTED',
      }),
    ]);
    const reconBefore = await reconcilerFunction(world.services)({});
    expect(reconBefore.ok).toBe(true); // the in-flight order explains its symbol

    await paper(world).settlePending();
    const settled = await reconcilerFunction(world.services)({});
    expect(settled.ok).toBe(true); // filled at the broker, still SUBMITTED here: in flight, not a break

    const recovered = await recoverRun(world.services, runId);
    expect(recovered?.intents).toEqual([
      expect.objectContaining({
        clientOrderId: pending.clientOrderId,
        was: 'SUBMITTED',
        action: 'recorded',
        now: 'FILLED',
        filledQty: pending.qty.toString(),
      }),
    ]);
    const after = (await intentsOf(world, runId)).find((i) => i.clientOrderId === pending.clientOrderId);
    expect(after?.state).toBe('FILLED');
    const trades = await world.services.trades.listByStrategy(pending.strategyId);
    expect(trades.filter((t) => t.clientOrderId === pending.clientOrderId)).toHaveLength(1);
    await redriveTheRest(world);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
    expect(await reconcilerFunction(world.services)({})).toMatchObject({ ok: true, breaks: [] });

    const snapshot = await ledgerSnapshot(world.services);
    const again = await recoverRun(world.services, runId);
    expect(again?.intents).toEqual([]);
    expect(await ledgerSnapshot(world.services)).toEqual(snapshot);
  });

  it("a fill the broker made but the ledger never got is a DRIFT for the next day's reconciliation, and recover --run of its day makes it MATCH", async () => {
    const world = await openWorld('recover-late');
    const [day1, day2] = daysFrom('2024-09-16', 2) as [TradingDate, TradingDate];
    const runId = runIdOf(world.services.env.BOOKS_STAGE, day1);
    paper(world).faults.inject({ kind: 'delayed-fill', count: 1 });
    await world.runDay(day1);
    const [pending] = (await intentsOf(world, runId)).filter((i) => i.state === 'SUBMITTED');
    if (!pending) throw new Error('no stuck intent');
    await paper(world).settlePending();

    // Seen from the next day, the order of day 1 is no longer in flight: a break of its quantity.
    const broken = await reconcilerFunction(world.services)({ date: day2 });
    expect(broken.breaks).toEqual([
      expect.objectContaining({ symbol: pending.symbol, unexplained: pending.qty.toString() }),
    ]);

    let out = '';
    const code = await runRecover(
      {
        services: world.services,
        stage: world.services.env.BOOKS_STAGE,
        strategyIds: STRATEGY_IDS,
        calendar: SAMPLE_DAYS,
        lastRunDate: day2,
        now: new Date(),
      },
      { run: runId, json: false },
      { out: (t) => (out += t), err: () => undefined },
    );
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`${pending.clientOrderId}.*SUBMITTED\\s+FILLED\\s+recorded`));
    expect(await reconcilerFunction(world.services)({ date: day2 })).toMatchObject({ ok: true, breaks: [] });
    await redriveTheRest(world);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });

  it('records an intent the broker never accepted as REJECTED "not found at the broker" and prints it', async () => {
    const world = await openWorld('recover-nf');
    const [day] = daysFrom('2024-09-16', 1) as [TradingDate];
    await world.runDay(day);
    const runId = runIdOf(world.services.env.BOOKS_STAGE, day);
    const store = new LedgerIntentStore(world.services.intents, world.clock);
    const [sid] = STRATEGY_IDS;
    const [some] = await intentsOf(world, runId);
    if (!sid || !some) throw new Error('the run placed nothing');
    const ghost = ClientOrderId(`${runId}-ghost-order`);
    await store.claim({
      clientOrderId: ghost,
      runId,
      strategyId: sid,
      symbol: some.symbol,
      side: 'buy',
      qty: Quantity.parse('2'),
    });
    await store.transition(ghost, runId, 'NEW', 'SUBMITTED');

    let out = '';
    const code = await runRecover(
      {
        services: world.services,
        stage: world.services.env.BOOKS_STAGE,
        strategyIds: STRATEGY_IDS,
        calendar: SAMPLE_DAYS,
        lastRunDate: day,
        now: new Date(),
      },
      { json: false },
      { out: (t) => (out += t), err: () => undefined },
    );
    expect(code).toBe(0);
    expect(out).toContain(ghost);
    expect(out).toMatch(/SUBMITTED\s+REJECTED\s+recorded/);
    const stored = (await intentsOf(world, runId)).find((i) => i.clientOrderId === ghost);
    expect(stored).toMatchObject({ state: 'REJECTED', reason: NOT_FOUND_AT_BROKER });
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });

  it('refuses a run that does not exist with exit 2', async () => {
    const world = await openWorld('recover-none');
    let err = '';
    const code = await runRecover(
      {
        services: world.services,
        stage: world.services.env.BOOKS_STAGE,
        strategyIds: STRATEGY_IDS,
        calendar: SAMPLE_DAYS,
        now: new Date(),
      },
      { run: 'no-such-run-2024-01-02', json: false },
      { out: () => undefined, err: (t) => (err += t) },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/does not exist/);
  });
});
