import { ChangeMessageVisibilityCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { RunId, runIdOf } from '@books/core';
import { parseExecutionMessage } from '@books/queue';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { daysFrom, openWorld } from './support';

describe('DailyRun on the embedded stack', () => {
  jest.setTimeout(300_000);

  it('enqueues a rebalancing strategy’s SELLs only and holds its BUYs on the run record until they are done', async () => {
    const world = await openWorld('sellsfirst');
    const sqs = world.services.clients.sqs;
    const days = daysFrom('2024-09-16', 25);
    const [first, ...rest] = days;
    if (!first) throw new Error('no sample day');
    await world.runDay(first);

    let checked = false;
    for (const day of rest) {
      await world.planDay(day);
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: world.executionQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      const messages = (received.Messages ?? []).map((m) => ({
        m,
        request: parseExecutionMessage(m.MessageId ?? '', m.Body ?? ''),
      }));
      for (const { m } of messages) {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: world.executionQueueUrl,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }
      const sellers = new Set(
        messages
          .filter(({ request }) => request.trade.direction === 'SELL')
          .map(({ request }) => request.strategy_id),
      );
      if (sellers.size > 0) {
        const run = await world.services.runs.listRunItems(runIdOf(world.services.env.BOOKS_STAGE, day));
        for (const sid of sellers) {
          const item = run?.strategies.find((s) => s.strategyId === sid);
          expect(
            messages
              .filter(({ request }) => request.strategy_id === sid)
              .every(({ request }) => request.trade.direction === 'SELL'),
          ).toBe(true);
          expect(item?.pendingSells).toBeGreaterThan(0);
          if (item && item.heldBuys.length > 0) checked = true;
        }
      }
      await drainQueue(sqs, world.executionQueueUrl, world.functions.execution, world.services.logger, {
        retryDelaySeconds: 0,
      });
      if (checked) break;
    }
    expect(checked).toBe(true);
    const intents =
      (await world.services.runs.listRunItems(RunId(`${world.services.env.BOOKS_STAGE}-${rest[0]}`)))
        ?.intents ?? [];
    expect(intents.every((i) => ['FILLED', 'REJECTED', 'CANCELED', 'EXPIRED'].includes(i.state))).toBe(true);
  });
});
