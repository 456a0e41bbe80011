import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BooksError } from '@books/core';
import type { StrategyExecutionRequested } from './messages';
import { serializeExecutionMessage } from './messages';
import type { ExecutionQueue } from './port';

const BATCH = 10;
const ATTEMPTS = 4;

export class QueueSendError extends BooksError {
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
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly StrategyExecutionRequested[]): Promise<void> {
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
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        if (failed.size > 0 && attempt >= ATTEMPTS) {
          throw new QueueSendError(
            `SQS refused ${failed.size} execution message(s) after ${ATTEMPTS} attempts`,
            {
              queueUrl: this.queueUrl,
              failures: result.Failed,
            },
          );
        }
        pending = pending.filter((e) => failed.has(e.Id));
      }
    }
  }
}
