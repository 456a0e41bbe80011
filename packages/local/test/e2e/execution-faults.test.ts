import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PaperBroker } from '@books/broker';
import { Money, runIdOf } from '@books/core';
import { checkInvariants, daysFrom, openWorld } from './support';

describe('execution under broker faults and bad input', () => {
  jest.setTimeout(300_000);

  it('resumes by client order id when the broker accepted an order but the answer was lost: one order, one trade', async () => {
    const world = await openWorld('lostanswer');
    const broker = world.services.broker;
    if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
    broker.faults.inject({ kind: 'timeout-after-accept', count: 3 });
    const [day] = daysFrom('2024-09-16', 1);
    if (!day) throw new Error('no sample day');

    const result = await world.runDay(day);

    expect(result.drain.failed).toBe(3);
    const intents =
      (await world.services.runs.listRunItems(runIdOf(world.services.env.BOOKS_STAGE, day)))?.intents ?? [];
    expect(intents.length).toBeGreaterThan(3);
    expect(intents.every((i) => i.state === 'FILLED')).toBe(true);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });

  it('keeps a malformed message for a human instead of retrying it forever, and executes the rest', async () => {
    const world = await openWorld('poison');
    await world.services.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: world.executionQueueUrl,
        MessageBody: '{"type":"StrategyExecutionRequested","trade":{}}',
      }),
    );
    const [day] = daysFrom('2024-09-16', 1);
    if (!day) throw new Error('no sample day');
    const result = await world.runDay(day);
    expect(result.drain.failed).toBe(0);
    const poison = await world.services.table.queryAll({ partition: 'POISON' });
    expect(poison).toHaveLength(1);
    expect(poison[0]?.problems?.L?.map((p) => p.S).join('; ')).toMatch(/run_id/);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });
});
