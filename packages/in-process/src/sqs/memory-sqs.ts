import { createHash } from 'node:crypto';
import {
  type ChangeMessageVisibilityCommandInput,
  type CreateQueueCommandInput,
  type DeleteMessageCommandInput,
  type GetQueueAttributesCommandInput,
  type Message,
  type MessageAttributeValue,
  type ReceiveMessageCommandInput,
  type SendMessageBatchCommandInput,
  type SendMessageCommandInput,
  SQSServiceException,
} from '@aws-sdk/client-sqs';

/**
 * SQS standard queues in process: CreateQueue, GetQueueUrl, GetQueueAttributes, ListQueues,
 * SendMessage(Batch), ReceiveMessage, DeleteMessage, ChangeMessageVisibility, PurgeQueue and
 * DeleteQueue, with SQS's semantics for what they touch: a received message is invisible for the
 * visibility timeout and comes back unless deleted; a receipt handle is per receive (an old one
 * cannot delete a message received again); the redrive policy moves a message to its dead-letter
 * queue when a receive would exceed maxReceiveCount. Messages are delivered in the order sent
 * (a standard queue's best effort, made exact). A receive never waits (WaitTimeSeconds: nothing
 * else can send while it would wait in one process). Delays, FIFO queues and message timers are
 * not served: an error names them. Time is the wall clock (visibility is real time in SQS too).
 */

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue> | undefined;
  readonly sentMs: number;
  receiveCount: number;
  firstReceiveMs: number | undefined;
  visibleAtMs: number;
  receiptHandle: string | undefined;
}

interface Queue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly attributes: Record<string, string>;
  messages: StoredMessage[];
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

function sqsError(name: string, message: string): SQSServiceException {
  return new SQSServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}

export class InMemorySqs {
  private readonly queues = new Map<string, Queue>();
  private seq = 0;

  constructor(
    private readonly wallClockMs: () => number = () => Date.now(),
    private readonly baseUrl = 'http://sqs.in-process.invalid',
  ) {}

  /** Serves one operation by name; the input is the SDK command's own typed input (see InMemoryDynamoDb.handle). */
  handle(operation: string, input: unknown): object {
    switch (operation) {
      case 'CreateQueue':
        return this.createQueue(input as CreateQueueCommandInput);
      case 'GetQueueUrl': {
        const name = (input as { QueueName?: string }).QueueName ?? '';
        const q = [...this.queues.values()].find((x) => x.name === name);
        if (!q) throw sqsError('QueueDoesNotExist', `The specified queue does not exist: ${name}`);
        return { QueueUrl: q.url };
      }
      case 'ListQueues':
        return { QueueUrls: [...this.queues.keys()] };
      case 'GetQueueAttributes':
        return this.attributes(input as GetQueueAttributesCommandInput);
      case 'SendMessage': {
        const i = input as SendMessageCommandInput;
        const q = this.queue(i.QueueUrl);
        return this.send(q, i);
      }
      case 'SendMessageBatch':
        return this.sendBatch(input as SendMessageBatchCommandInput);
      case 'ReceiveMessage':
        return this.receive(input as ReceiveMessageCommandInput);
      case 'DeleteMessage': {
        const i = input as DeleteMessageCommandInput;
        const q = this.queue(i.QueueUrl);
        const m = this.byHandle(q, i.ReceiptHandle);
        if (m) q.messages = q.messages.filter((x) => x !== m);
        return {};
      }
      case 'ChangeMessageVisibility': {
        const i = input as ChangeMessageVisibilityCommandInput;
        const q = this.queue(i.QueueUrl);
        const m = this.byHandle(q, i.ReceiptHandle);
        if (!m || m.visibleAtMs <= this.wallClockMs())
          throw sqsError('MessageNotInflight', 'The message referred to is not in flight.');
        m.visibleAtMs = this.wallClockMs() + (i.VisibilityTimeout ?? 0) * 1000;
        return {};
      }
      case 'PurgeQueue':
        this.queue((input as { QueueUrl?: string }).QueueUrl).messages = [];
        return {};
      case 'DeleteQueue':
        this.queues.delete(this.queue((input as { QueueUrl?: string }).QueueUrl).url);
        return {};
      default:
        throw sqsError('UnsupportedOperation', `the in-process SQS does not implement ${operation}`);
    }
  }

  private createQueue(input: CreateQueueCommandInput): object {
    const name = input.QueueName ?? '';
    if (name.endsWith('.fifo'))
      throw sqsError('UnsupportedOperation', 'the in-process SQS serves no FIFO queue');
    const url = `${this.baseUrl}/${ACCOUNT}/${name}`;
    const attributes = { VisibilityTimeout: '30', DelaySeconds: '0', ...input.Attributes };
    const existing = this.queues.get(url);
    if (existing) {
      if (JSON.stringify(existing.attributes) !== JSON.stringify(attributes))
        throw sqsError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s)`,
        );
      return { QueueUrl: url };
    }
    if (attributes.DelaySeconds !== '0')
      throw sqsError('UnsupportedOperation', 'the in-process SQS serves no delay queue');
    this.queues.set(url, {
      name,
      url,
      arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      attributes,
      messages: [],
    });
    return { QueueUrl: url };
  }

  private queue(url: string | undefined): Queue {
    const q = this.queues.get(url ?? '');
    if (!q) throw sqsError('QueueDoesNotExist', `The specified queue does not exist: ${url}`);
    return q;
  }

  private attributes(input: GetQueueAttributesCommandInput): object {
    const q = this.queue(input.QueueUrl);
    const now = this.wallClockMs();
    const all: Record<string, string> = {
      ...q.attributes,
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAtMs <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAtMs > now).length),
      ApproximateNumberOfMessagesDelayed: '0',
    };
    const names = input.AttributeNames ?? [];
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const out: Record<string, string> = {};
    for (const n of wanted) {
      const v = all[n];
      if (v !== undefined) out[n] = v;
    }
    return { Attributes: out };
  }

  private send(
    q: Queue,
    i: {
      MessageBody?: string | undefined;
      MessageAttributes?: Record<string, MessageAttributeValue> | undefined;
      DelaySeconds?: number | undefined;
    },
  ) {
    if (i.DelaySeconds) throw sqsError('UnsupportedOperation', 'the in-process SQS does not delay messages');
    const body = i.MessageBody ?? '';
    if (body.length === 0) throw sqsError('InvalidParameterValue', 'The message body must not be empty');
    if (Buffer.byteLength(body, 'utf8') > 256 * 1024)
      throw sqsError('InvalidParameterValue', 'The message is too long');
    const now = this.wallClockMs();
    const id = `${(++this.seq).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    q.messages.push({
      id,
      body,
      attributes: i.MessageAttributes ? structuredClone(i.MessageAttributes) : undefined,
      sentMs: now,
      receiveCount: 0,
      firstReceiveMs: undefined,
      visibleAtMs: now,
      receiptHandle: undefined,
    });
    return { MessageId: id, MD5OfMessageBody: md5(body) };
  }

  private sendBatch(input: SendMessageBatchCommandInput): object {
    const q = this.queue(input.QueueUrl);
    const entries = input.Entries ?? [];
    if (entries.length === 0)
      throw sqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
    if (entries.length > 10)
      throw sqsError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
    if (new Set(entries.map((e) => e.Id)).size !== entries.length)
      throw sqsError(
        'BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      );
    const total = entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? '', 'utf8'), 0);
    if (total > 256 * 1024) throw sqsError('BatchRequestTooLong', 'The batch request is too long');
    return {
      Successful: entries.map((e) => ({ Id: e.Id, ...this.send(q, e) })),
      Failed: [],
    };
  }

  private receive(input: ReceiveMessageCommandInput): object {
    const q = this.queue(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (max < 1 || max > 10)
      throw sqsError('InvalidParameterValue', 'MaxNumberOfMessages must be between 1 and 10');
    const now = this.wallClockMs();
    const visibilityMs = (input.VisibilityTimeout ?? Number(q.attributes.VisibilityTimeout ?? '30')) * 1000;
    const redrive = redrivePolicy(q);
    const out: Message[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAtMs > now) continue;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        // SQS moves it on the receive that would exceed the count.
        const dlq = [...this.queues.values()].find((x) => x.arn === redrive.deadLetterTargetArn);
        if (!dlq)
          throw sqsError('InvalidParameterValue', `no dead-letter queue ${redrive.deadLetterTargetArn}`);
        q.messages = q.messages.filter((x) => x !== m);
        dlq.messages.push({ ...m, visibleAtMs: now, receiptHandle: undefined });
        continue;
      }
      m.receiveCount++;
      m.firstReceiveMs ??= now;
      m.visibleAtMs = now + visibilityMs;
      m.receiptHandle = `${m.id}#${++this.seq}`;
      out.push({
        MessageId: m.id,
        ReceiptHandle: m.receiptHandle,
        Body: m.body,
        MD5OfBody: md5(m.body),
        Attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentMs),
          SenderId: ACCOUNT,
          ApproximateFirstReceiveTimestamp: String(m.firstReceiveMs),
        },
        ...(m.attributes ? { MessageAttributes: m.attributes } : {}),
      });
    }
    return out.length > 0 ? { Messages: out } : {};
  }

  private byHandle(q: Queue, handle: string | undefined): StoredMessage | undefined {
    if (!handle) throw sqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
    return q.messages.find((m) => m.receiptHandle === handle);
  }
}

function redrivePolicy(q: Queue): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  const text = q.attributes.RedrivePolicy;
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const arn = (parsed as Record<string, unknown>).deadLetterTargetArn;
  const count = Number((parsed as Record<string, unknown>).maxReceiveCount);
  return typeof arn === 'string' && Number.isInteger(count)
    ? { deadLetterTargetArn: arn, maxReceiveCount: count }
    : undefined;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
