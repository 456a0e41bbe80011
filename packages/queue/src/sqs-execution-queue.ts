import type { SQSClient } from '@aws-sdk/client-sqs';
import { BooksError } from '@books/core';
import type { StrategyExecutionRequested } from './messages';
import { serializeExecutionMessage } from './messages';
import type { ExecutionQueue } from './port';

const BATCH = 10;
const ATTEMPTS = 4;

/**
 * The SQS SDK's commands, imported on the first send, not at load: no module of a Lambda bundle
 * imports the SQS SDK statically, so a function that never sends (most execution batches) never
 * runs its top level (runtime's lazy-sdk.ts, which makes the client, says why).
 */
const sqsCommands = () => import('./lazy-sdk/sqs');

export class QueueSendError extends BooksError {
  static override readonly errorName: string = 'QueueSendError';
  constructor(message: string, context: Record<string, unknown>) {
    super('QUEUE_SEND', message, context);
  }
}

/**
 * SQS adapter. Sends in batches of 10 and re-sends only the entries SQS reports failed. A crash
 * between batches may re-send earlier ones on retry: harmless, execution is idempotent by client
 * order id.
 */
export class SqsExecutionQueue implements ExecutionQueue {
  private url: Promise<string> | undefined;

  /** The queue by URL, or by name (its URL looked up once, on the first send). */
  constructor(
    private readonly sqs: SQSClient,
    private readonly queue: { readonly url: string } | { readonly name: string },
  ) {}

  private queueUrl(): Promise<string> {
    const { queue } = this;
    this.url ??=
      'url' in queue
        ? Promise.resolve(queue.url)
        : sqsCommands()
            .then(({ GetQueueUrlCommand }) =>
              this.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name })),
            )
            .then((out) => {
              if (!out.QueueUrl)
                throw new QueueSendError(`queue ${queue.name} has no URL`, { queue: queue.name });
              return out.QueueUrl;
            });
    this.url.catch(() => {
      this.url = undefined;
    });
    return this.url;
  }

  async send(messages: readonly StrategyExecutionRequested[]): Promise<void> {
    if (messages.length === 0) return;
    const queueUrl = await this.queueUrl();
    const { SendMessageBatchCommand } = await sqsCommands();
    for (let i = 0; i < messages.length; i += BATCH) {
      let pending = messages.slice(i, i + BATCH).map((m, j) => ({
        Id: String(i + j),
        MessageBody: serializeExecutionMessage(m),
        MessageAttributes: {
          client_order_id: { DataType: 'String', StringValue: m.client_order_id },
          strategy_id: { DataType: 'String', StringValue: m.strategy_id },
        },
      }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        if (failed.size > 0 && attempt >= ATTEMPTS) {
          throw new QueueSendError(
            `SQS refused ${failed.size} execution message(s) after ${ATTEMPTS} attempts`,
            {
              queueUrl,
              failures: result.Failed,
            },
          );
        }
        pending = pending.filter((e) => failed.has(e.Id));
      }
    }
  }
}
