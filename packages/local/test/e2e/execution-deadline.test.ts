import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { toItem } from '@books/ledger-client';
import { parseExecutionMessage, type StrategyExecutionRequested } from '@books/queue';
import { testLambdaContext } from '@books/testkit';
import { daysFrom, openWorld } from './support';

describe('execution near the end of its invocation', () => {
  it('cuts the lock wait to the time left, hands back the records it cannot finish untouched, and leaves no lock of its own', async () => {
    // A record's worst case: 30 s for a lock + 1 s of fill wait + 1 s of steps, 1 s kept in reserve.
    const world = await openWorld('deadline', {
      inject: { execution: { lockWaitMs: 30_000, fillWaitMs: 1_000, stepsMs: 1_000, safetyMarginMs: 1_000 } },
    });
    const [day] = daysFrom('2024-10-01', 1);
    if (!day) throw new Error('no sample day');
    await world.planDay(day);
    const received = await world.services.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: world.executionQueueUrl, MaxNumberOfMessages: 10 }),
    );
    const messages = (received.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? '',
      body: m.Body ?? '',
      request: parseExecutionMessage(m.MessageId ?? '', m.Body ?? ''),
    }));
    const [first, ...others] = messages;
    const blocked = others.find((m) => m.request.trade.symbol !== first?.request.trade.symbol);
    const rest = others.filter((m) => m !== blocked).slice(0, 2);
    if (!first || !blocked || rest.length < 2) throw new Error('the day plans too few trades for this test');
    // Another order holds the blocked record's symbol for the next ten minutes (a lease is wall
    // time, whatever the market clock says).
    const lockKey = { PK: `LOCK#SYMBOL#${blocked.request.trade.symbol}`, SK: 'LOCK' };
    const leaseUntil = Date.now() + 600_000;
    await world.services.table.put(
      toItem({ ...lockKey, owner: 'another-order', lease_until: leaseUntil, expiresAtEpochSeconds: 0 }),
    );

    const batch = [first, blocked, ...rest];
    const timeoutMs = 5_000;
    const started = performance.now();
    const response = await world.functions.execution(
      {
        Records: batch.map((m) => ({
          messageId: m.messageId,
          receiptHandle: m.messageId,
          body: m.body,
          attributes: { ApproximateReceiveCount: '1' },
          eventSource: 'aws:sqs',
        })),
      },
      testLambdaContext(timeoutMs, 'execution'),
    );
    const elapsed = performance.now() - started;

    // Answered inside the invocation, though the configured lock wait alone is 30 s.
    expect(elapsed).toBeLessThan(timeoutMs);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      [blocked, ...rest].map((m) => m.messageId),
    );
    const intent = (m: { request: StrategyExecutionRequested }) =>
      world.services.intents.get(m.request.run_id, m.request.client_order_id);
    expect((await intent(first))?.state).toBe('FILLED');
    // The blocked record placed nothing; the records after it were not even claimed.
    expect([undefined, 'NEW']).toContain((await intent(blocked))?.state);
    for (const m of rest) expect(await intent(m)).toBeUndefined();
    // No lock of the batch is left: only the other order's lease is there.
    for (const m of batch) {
      const lock = await world.services.table.getItem(
        { PK: `LOCK#SYMBOL#${m.request.trade.symbol}`, SK: 'LOCK' },
        { consistent: true },
      );
      if (m.request.trade.symbol === blocked.request.trade.symbol)
        expect(lock?.owner?.S).toBe('another-order');
      else expect(lock).toBeUndefined();
    }
  }, 120_000);
});
