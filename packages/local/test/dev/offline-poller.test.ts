import { createServer, type Server } from 'node:http';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { createLogger } from '@books/core';
import { createTestQueues, type TestQueues } from '@books/testkit';
import * as z from 'zod';
import { offlineLambda } from '../../src/dev/offline-lambda';
import { drainThroughOffline } from '../../src/dev/offline-poller';

const silent = createLogger({ service: 'test' }, { destination: { write: () => undefined } });

const EventSchema = z.object({
  Records: z.array(
    z.object({
      messageId: z.string(),
      receiptHandle: z.string(),
      body: z.string(),
      attributes: z.object({ ApproximateReceiveCount: z.string(), SentTimestamp: z.string() }),
      md5OfBody: z.string(),
      eventSource: z.literal('aws:sqs'),
      eventSourceARN: z.string(),
      awsRegion: z.string(),
    }),
  ),
});
type Event = z.infer<typeof EventSchema>;

/**
 * A stand-in for serverless-offline's Lambda Invoke API: records each invocation and answers
 * with what `respond` decides (a batch response, or a function error as offline reports one).
 */
function fakeLambda(
  respond: (event: Event) => { status: number; headers?: Record<string, string>; body: unknown },
) {
  const invocations: { functionName: string; event: Event }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '')?.[1] ?? '';
      const event = EventSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      invocations.push({ functionName: decodeURIComponent(name), event });
      const answer = respond(event);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  return {
    invocations,
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const address = server.address();
      if (typeof address !== 'object' || address === null)
        throw new Error('the fake Lambda is not listening');
      return `http://127.0.0.1:${address.port}`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('the dev poller delivering through a Lambda endpoint', () => {
  let queues: TestQueues;
  beforeEach(async () => {
    queues = await createTestQueues('offline-poller');
  });
  afterEach(async () => {
    await queues.cleanup();
  });

  async function send(bodies: string[]) {
    for (const body of bodies)
      await queues.client.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
  }

  async function counts() {
    const attrs = await queues.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(attrs.Attributes?.ApproximateNumberOfMessages),
      inFlight: Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible),
    };
  }

  /** Makes the held-back records visible again and returns their bodies. */
  async function remainingBodies(receiptHandles: string[]): Promise<string[]> {
    for (const handle of receiptHandles)
      await queues.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queues.queueUrl,
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        }),
      );
    const received = await queues.client.send(
      new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return (received.Messages ?? []).map((m) => m.Body ?? '').sort();
  }

  it('deletes the records the function succeeded on and keeps the one it reported in batchItemFailures', async () => {
    const lambda = fakeLambda((event) => ({
      status: 200,
      body: {
        batchItemFailures: event.Records.filter((r) => r.body === 'fail').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      },
    }));
    const client = offlineLambda(await lambda.start());
    try {
      await send(['ok-1', 'fail', 'ok-2']);
      const report = await drainThroughOffline(
        {
          sqs: queues.client,
          queueUrl: queues.queueUrl,
          lambda: client,
          functionName: 'books-test-execution',
          logger: silent,
        },
        // The failed record stays invisible for a minute, so the drain sees it exactly once.
        { batchSize: 10, retryDelaySeconds: 60, maxRounds: 10 },
      );
      expect(report).toEqual({ delivered: 3, succeeded: 2, failed: 1 });
      expect(await counts()).toEqual({ visible: 0, inFlight: 1 });
      const records = lambda.invocations.flatMap((i) => i.event.Records);
      const failed = records.filter((r) => r.body === 'fail').map((r) => r.receiptHandle);
      expect(await remainingBodies(failed)).toEqual(['fail']);
      // What the function received is an SQS event as Lambda's event source mapping shapes it.
      expect(new Set(lambda.invocations.map((i) => i.functionName))).toEqual(
        new Set(['books-test-execution']),
      );
      for (const r of records) {
        expect(r.eventSourceARN).toBe(queues.queueArn);
        expect(r.attributes.ApproximateReceiveCount).toBe('1');
        expect(r.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
      }
    } finally {
      client.destroy();
      await lambda.stop();
    }
  });

  it('keeps every record of a batch whose function threw (an Unhandled function error)', async () => {
    const lambda = fakeLambda(() => ({
      status: 200,
      headers: { 'X-Amz-Function-Error': 'Unhandled' },
      body: { errorType: 'Error', errorMessage: 'boom', trace: [] },
    }));
    const client = offlineLambda(await lambda.start());
    try {
      await send(['a', 'b']);
      const report = await drainThroughOffline(
        {
          sqs: queues.client,
          queueUrl: queues.queueUrl,
          lambda: client,
          functionName: 'books-test-execution',
          logger: silent,
        },
        { batchSize: 10, retryDelaySeconds: 60, maxRounds: 10 },
      );
      expect(report.succeeded).toBe(0);
      expect(await counts()).toEqual({ visible: 0, inFlight: 2 });
      const handles = lambda.invocations.flatMap((i) => i.event.Records.map((r) => r.receiptHandle));
      expect(await remainingBodies(handles)).toEqual(['a', 'b']);
    } finally {
      client.destroy();
      await lambda.stop();
    }
  });
});
