import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerUnavailable } from '@books/broker';
import { TradingDate } from '@books/core';
import { readStoredPlan } from '@books/ledger-client';
import { listDlq, redriveDlq } from '@books/operator';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { freePort, stopProcess } from '../../src/stack/processes';
import { PROCESS_MARKERS, type ServerRecord } from '../../src/stack/server-process';
import { startSqs } from '../../src/stack/sqs-server';
import { STRATEGY_IDS } from '../e2e/support';
import { InterceptedBroker } from './harness/faulty-broker';
import { expectInvariants, openScenario, played, type Scenario } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(20261206);

/** Client order ids whose next submit fails as the broker being unavailable (retryable), once each. */
const failOnce = new Set<string>();
/** Client order ids whose every submit fails so, until the set is cleared. */
const failAlways = new Set<string>();

/**
 * The execution queue on the SQS server in its persistent mode (SQLite under the stack's home, as
 * `books stack up` runs it): a retryable failure is redelivered and then succeeds, a message that
 * keeps failing ends in the DLQ after maxReceiveCount receives, `books dlq list` reads the DLQ
 * without consuming it, and a redrive once the broker answers again ends every trade final.
 */
describe(`fault injection: the persistent queue redelivers and dead-letters (seed ${SEED})`, () => {
  jest.setTimeout(180_000);
  const home = mkdtempSync(join(tmpdir(), 'books-fault-persistent-'));
  let sqs: ServerRecord;
  let s: Scenario;
  const day = TradingDate('2024-09-16');

  beforeAll(async () => {
    sqs = await startSqs({
      port: await freePort(),
      dataDir: join(home, 'sqs'),
      logFile: join(home, 'fauxqs.log'),
      detached: false,
    });
    // This file's worlds use the persistent server; DynamoDB stays the jest run's.
    process.env.BOOKS_TEST_SQS_ENDPOINT = sqs.endpoint;
    s = await openScenario('fault-persist', SEED, {
      inject: () => ({
        services: (fn, services) =>
          fn !== 'execution'
            ? services
            : {
                ...services,
                broker: new InterceptedBroker(services.broker, {
                  beforePlace: (request) => {
                    if (failAlways.has(request.clientOrderId) || failOnce.delete(request.clientOrderId))
                      throw new BrokerUnavailable('the broker is unavailable (injected)');
                  },
                }),
              },
      }),
    });
  });

  afterAll(async () => {
    s?.world.services.clients.sqs.destroy();
    if (sqs) await stopProcess(sqs.pid, PROCESS_MARKERS.sqs);
    rmSync(home, { recursive: true, force: true });
  });

  async function drain() {
    return drainQueue(
      s.world.services.clients.sqs,
      s.world.executionQueueUrl,
      s.world.functions.execution,
      s.world.services.logger,
      { retryDelaySeconds: 0 },
    );
  }

  it('redelivers a retryable failure, dead-letters what keeps failing, lists the DLQ without consuming it, and ends final after a redrive', async () => {
    await s.world.planDay(day);
    const runId = played(s, day);
    const planned: string[] = [];
    for (const sid of STRATEGY_IDS) {
      const plan = await readStoredPlan(s.world.services.table, runId, sid);
      planned.push(...[...(plan?.sells ?? []), ...(plan?.buys ?? [])].map((t) => t.clientOrderId));
    }
    expect(planned.length).toBeGreaterThanOrEqual(3);
    const [always, ...rest] = planned;
    if (!always) throw new Error('nothing planned');
    failAlways.add(always);
    for (const id of rest) failOnce.add(id);

    const first = await drain();
    expect(failOnce.size).toBe(0);
    expect(first.failed).toBeGreaterThanOrEqual(rest.length);
    const after = await s.world.services.intents.listForRun(runId);
    expect(after.filter((i) => i.clientOrderId !== always).every((i) => i.state === 'FILLED')).toBe(true);

    const stage = s.world.services.env.BOOKS_STAGE;
    const listed = await listDlq(s.world.services, stage);
    expect(listed.map((m) => m.clientOrderId)).toEqual([always]);
    // Listing again finds the same message: a listing never consumes.
    const again = await listDlq(s.world.services, stage);
    expect(again.map((m) => m.messageId)).toEqual(listed.map((m) => m.messageId));

    failAlways.clear();
    const redriven = await redriveDlq(s.world.services, stage);
    expect(redriven.redriven.map((m) => m.clientOrderId)).toEqual([always]);
    await drain();
    expect(await listDlq(s.world.services, stage)).toEqual([]);
    const final = await s.world.services.intents.listForRun(runId);
    expect(final.find((i) => i.clientOrderId === always)?.state).toBe('FILLED');
    await expectInvariants(s, `redelivery and dead-lettering on ${day}`);
  });
});
