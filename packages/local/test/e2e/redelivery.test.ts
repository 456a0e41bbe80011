import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Money } from '@books/core';
import type { SqsEventRecord } from '../../src/daily-run/queue-poller';
import { checkInvariants, daysFrom, ledgerSnapshot, openWorld } from './support';

/** A small seeded generator, so a failing order of deliveries can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('at-least-once delivery', () => {
  jest.setTimeout(300_000);

  it('gives the identical ledger when every message is delivered twice, shuffled and concurrently', async () => {
    const days = daysFrom('2024-09-16', 6);
    const baseline = await openWorld('e2ebase');
    for (const day of days) await baseline.runDay(day);

    const world = await openWorld('e2etwice');
    const sqs = world.services.clients.sqs;
    const random = seeded(20261124);
    let deliveries = 0;
    for (const day of days) {
      await world.planDay(day);
      for (let idle = 0; idle < 3; ) {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: world.executionQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) {
          idle++;
          continue;
        }
        idle = 0;
        const records: SqsEventRecord[] = messages.flatMap((m) => {
          const record: SqsEventRecord = {
            messageId: m.MessageId ?? '',
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            attributes: { ApproximateReceiveCount: '1' },
            eventSource: 'aws:sqs',
          };
          return [record, { ...record, messageId: `${record.messageId}-again` }];
        });
        records.sort(() => random() - 0.5);
        deliveries += records.length;
        const half = Math.ceil(records.length / 2);
        const results = await Promise.all([
          world.functions.execution({ Records: records.slice(0, half) }),
          world.functions.execution({ Records: records.slice(half) }),
        ]);
        expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
        for (const m of messages) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: world.executionQueueUrl, ReceiptHandle: m.ReceiptHandle }),
          );
        }
      }
    }
    expect(deliveries).toBeGreaterThan(10);
    expect(await ledgerSnapshot(world.services)).toEqual(await ledgerSnapshot(baseline.services));
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });
});
