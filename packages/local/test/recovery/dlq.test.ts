import { PaperBroker } from '@books/broker';
import { runDlq } from '@books/cli';
import { createLogger, Money, runIdOf, type TradingDate } from '@books/core';
import { listDlq, type QueryContext } from '@books/operator';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { checkInvariants, daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';

describe('books dlq on the embedded stack', () => {
  jest.setTimeout(300_000);
  let world: LocalWorld;
  const [day] = daysFrom('2024-09-16', 1) as [TradingDate];

  beforeAll(async () => {
    world = await openWorld('dlq');
    const broker = world.services.broker;
    if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
    broker.faults.inject({ kind: 'delayed-fill', count: 1 });
    await world.runDay(day);
  });

  function ctx(): QueryContext {
    return {
      services: world.services,
      stage: world.services.env.BOOKS_STAGE,
      strategyIds: STRATEGY_IDS,
      calendar: SAMPLE_DAYS,
      lastRunDate: day,
      now: new Date(),
    };
  }

  async function dlq(args: Parameters<typeof runDlq>[1]) {
    let out = '';
    let err = '';
    const code = await runDlq(ctx(), args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  async function placedIntent() {
    const runId = runIdOf(world.services.env.BOOKS_STAGE, day);
    const intents = (await world.services.runs.listRunItems(runId))?.intents ?? [];
    const placed = intents.find((i) => i.state === 'SUBMITTED');
    if (!placed) throw new Error('no order was left working by the delayed fill');
    return placed;
  }

  it('lists the message of an order placed but not filled in time, with its client order id and why, and leaves it in the DLQ', async () => {
    const placed = await placedIntent();
    const r = await dlq({ action: 'list', json: false });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/message\s+client order id\s+trade\s+receives\s+why/);
    expect(r.out).toContain(placed.clientOrderId);
    expect(r.out).toMatch(/placed at the broker and still SUBMITTED/);
    // Listing is a read: the messages are all still there.
    const again = await listDlq(world.services, world.services.env.BOOKS_STAGE);
    expect(again.map((m) => m.clientOrderId)).toContain(placed.clientOrderId);

    const shown = await dlq({ action: 'show', id: placed.clientOrderId, json: false });
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(new RegExp(`client order id ${placed.clientOrderId}`));
    expect(shown.out).toMatch(/intent state\s+SUBMITTED/);
    expect((await dlq({ action: 'show', id: 'no-such-message', json: false })).code).toBe(1);
  });

  it('redrives a message whose order was in fact placed without a second order: one trade, books equal the broker', async () => {
    const placed = await placedIntent();
    const broker = world.services.broker;
    if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
    await broker.settlePending();
    const positionBefore = (await broker.getPositions()).find((p) => p.symbol === placed.symbol)?.qty;

    const r = await dlq({ action: 'redrive', id: placed.clientOrderId, json: false });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`redriven`);
    const left = await listDlq(world.services, world.services.env.BOOKS_STAGE);
    expect(left.map((m) => m.clientOrderId)).not.toContain(placed.clientOrderId);

    const drain = await drainQueue(
      world.services.clients.sqs,
      world.executionQueueUrl,
      world.functions.execution,
      createLogger({ service: 'dlq-test' }, { level: 'silent', destination: { write: () => true } }),
      { retryDelaySeconds: 0 },
    );
    expect(drain).toMatchObject({ delivered: 1, succeeded: 1, failed: 0 });
    const order = await broker.getOrderByClientId(placed.clientOrderId);
    expect(order.status).toBe('filled');
    expect((await broker.getPositions()).find((p) => p.symbol === placed.symbol)?.qty.toString()).toBe(
      positionBefore?.toString(),
    );
    const trades = await world.services.trades.listByStrategy(placed.strategyId);
    expect(trades.filter((t) => t.clientOrderId === placed.clientOrderId)).toHaveLength(1);
    expect((await world.services.intents.get(placed.runId, placed.clientOrderId))?.state).toBe('FILLED');

    // Orders on the same symbol waited behind the working one and were dead-lettered too: once it
    // is filled, redriving the rest completes the run.
    expect((await dlq({ action: 'redrive', json: false })).code).toBe(0);
    const rest = await drainQueue(
      world.services.clients.sqs,
      world.executionQueueUrl,
      world.functions.execution,
      createLogger({ service: 'dlq-test' }, { level: 'silent', destination: { write: () => true } }),
      { retryDelaySeconds: 0 },
    );
    expect(rest.failed).toBe(0);
    expect(await listDlq(world.services, world.services.env.BOOKS_STAGE)).toEqual([]);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
    // The run's last trade came through the redrive: its one reconciliation ran then, and matched.
    const ofRun = (await world.services.recon.list(day)).filter((r) => r.runId === placed.runId);
    expect(ofRun).toHaveLength(1);
    expect(ofRun[0]?.entries.every((e) => e.status === 'MATCH')).toBe(true);
  });

  it('reports an unknown --id as nothing redriven with exit 1', async () => {
    const r = await dlq({ action: 'redrive', id: 'no-such-message', json: false });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/nothing redriven/);
  });
});
