import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Reading a queue without consuming it, and moving a message from one queue to another, with
 * only the SQS calls every backend has (AWS SQS, the embedded fauxqs server).
 *
 * SQS has no peek. The closest: receive every message with a short visibility timeout (so a crash
 * part-way hides them only that long), then make each one visible again at once
 * (ChangeMessageVisibility 0). Each such read is one receive: ApproximateReceiveCount goes up by one.
 */

/** One message of a peek, with what is needed to delete or move it while the peek holds it. */
export interface PeekedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  /** ApproximateReceiveCount as SQS reports it, this read included. */
  readonly receiveCount: number;
}

/** How long a peek hides the messages it reads; they are made visible again right after. */
export const PEEK_VISIBILITY_SECONDS = 60;

/**
 * Receives every message of `queueUrl` (until a receive answers empty), hands them to `work`, then
 * makes every message `work` did not consume visible again, also when `work` throws. `work` adds the
 * id of each message it deleted or moved to `consumed` as soon as that is done.
 */
export async function withPeekedMessages<T>(
  sqs: SQSClient,
  queueUrl: string,
  work: (messages: readonly PeekedMessage[], consumed: Set<string>) => Promise<T>,
  options: { readonly visibilitySeconds?: number } = {},
): Promise<T> {
  const held: PeekedMessage[] = [];
  const consumed = new Set<string>();
  try {
    for (;;) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: options.visibilitySeconds ?? PEEK_VISIBILITY_SECONDS,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        if (!m.MessageId || !m.ReceiptHandle || held.some((h) => h.messageId === m.MessageId)) continue;
        held.push({
          messageId: m.MessageId,
          receiptHandle: m.ReceiptHandle,
          body: m.Body ?? '',
          messageAttributes: m.MessageAttributes ?? {},
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
        });
      }
    }
    return await work(held, consumed);
  } finally {
    for (const h of held) {
      if (consumed.has(h.messageId)) continue;
      // Best effort: a message not made visible here reappears when its peek visibility ends.
      await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: h.receiptHandle,
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => undefined);
    }
  }
}

/**
 * Moves a peeked message of `fromQueueUrl` to `toQueueUrl` (body and message attributes): sends
 * first, then deletes. A crash in between leaves the message on both queues, never on neither; the
 * receiver must absorb the duplicate (execution dedupes by client order id).
 */
export async function moveMessage(
  sqs: SQSClient,
  message: PeekedMessage,
  fromQueueUrl: string,
  toQueueUrl: string,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: toQueueUrl,
      MessageBody: message.body,
      ...(Object.keys(message.messageAttributes).length > 0
        ? { MessageAttributes: message.messageAttributes }
        : {}),
    }),
  );
  await sqs.send(new DeleteMessageCommand({ QueueUrl: fromQueueUrl, ReceiptHandle: message.receiptHandle }));
}
