import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { LocalWorld } from '../../../src/daily-run/local-world';
import type { SqsEventRecord } from '../../../src/daily-run/queue-poller';
import type { Seeded } from './seeded';

export interface ChaosOptions {
  /** Copies of each received message handed to the function: uniform in [min, max]. */
  readonly copies: readonly [number, number];
  /** Concurrent invocations of the function each round. */
  readonly concurrency: number;
  /** Hard stop, in rounds; reaching it is a failure (a message that never converges). */
  readonly maxRounds?: number;
  /** Runs between rounds (e.g. the broker moving working orders on). */
  readonly afterRound?: () => Promise<void>;
}

export interface ChaosReport {
  readonly deliveries: number;
  readonly failures: number;
}

/**
 * Lambda's SQS event source at its worst: every message is delivered `copies` times, the copies of
 * a round are shuffled and split across `concurrency` simultaneous invocations. A message is
 * deleted once one of its copies succeeded; when all failed it becomes visible again at once (the
 * visibility timeout, shortened), so a crashed delivery is redelivered until it converges.
 */
export async function deliverChaotically(
  world: LocalWorld,
  random: Seeded,
  options: ChaosOptions,
): Promise<ChaosReport> {
  const sqs = world.services.clients.sqs;
  const url = world.executionQueueUrl;
  let deliveries = 0;
  let failures = 0;
  let idle = 0;
  for (let round = 0; idle < 3; round++) {
    if (round >= (options.maxRounds ?? 200))
      throw new Error(`the queue did not drain in ${round} rounds (seed ${random.seed})`);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      idle++;
      continue;
    }
    idle = 0;
    const records = random.shuffle(messages.flatMap((m) => copiesOf(m, random.int(...options.copies))));
    deliveries += records.length;
    const groups = Array.from({ length: options.concurrency }, (_, g) =>
      records.filter((_, i) => i % options.concurrency === g),
    ).filter((g) => g.length > 0);
    const failed = new Set<string>();
    await Promise.all(
      groups.map(async (group) => {
        const response = await world.functions.execution({ Records: group });
        for (const f of response.batchItemFailures) failed.add(f.itemIdentifier);
      }),
    );
    failures += failed.size;
    await options.afterRound?.();
    for (const m of messages) {
      const ids = records.filter((r) => r.receiptHandle === m.ReceiptHandle).map((r) => r.messageId);
      const anySucceeded = ids.some((id) => !failed.has(id));
      if (anySucceeded)
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      else
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
    }
  }
  return { deliveries, failures };
}

function copiesOf(m: Message, count: number): SqsEventRecord[] {
  const id = m.MessageId ?? '';
  return Array.from({ length: count }, (_, copy) => ({
    messageId: copy === 0 ? id : `${id}#copy${copy}`,
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: { ApproximateReceiveCount: String(copy + 1) },
    eventSource: 'aws:sqs' as const,
  }));
}
