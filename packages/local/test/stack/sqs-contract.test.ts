import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createLogger } from '@books/core';
import { moveMessage, withPeekedMessages } from '@books/queue';
import { testDefinitions } from '@books/testkit';
import { drainQueue, type SqsEventRecord } from '../../src/daily-run/queue-poller';
import { createQueues, localSqs } from '../../src/stack';
import { freePort, stopProcess } from '../../src/stack/processes';
import { PROCESS_MARKERS, type ServerRecord } from '../../src/stack/server-process';
import { startSqs } from '../../src/stack/sqs-server';

/**
 * The SQS semantics the project relies on, checked against the embedded server (fauxqs) in both its
 * modes: persistent (SQLite under the stack's home, what `books stack up` runs) and in memory (what
 * the jest run's stack uses). The queues are serverless.yml's execution queue and its DLQ, created
 * as the stack creates them. The client does not retry: a server error is a failure here, not
 * something a retry may paper over.
 */

const silent = createLogger({ service: 'test' }, { level: 'silent' });

interface Server {
  readonly record: ServerRecord;
  readonly sqs: SQSClient;
  readonly home: string;
}

async function startServer(dataDir: string | null, home: string, port?: number): Promise<Server> {
  const record = await startSqs({
    port: port ?? (await freePort()),
    dataDir,
    logFile: join(home, 'fauxqs.log'),
    detached: false,
  });
  return { record, sqs: localSqs(record.endpoint, 1), home };
}

async function stopServer(server: Server, graceMs?: number): Promise<void> {
  server.sqs.destroy();
  await stopProcess(server.record.pid, PROCESS_MARKERS.sqs, graceMs);
}

interface Queues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly maxReceiveCount: number;
}

let queueCount = 0;
/** serverless.yml's execution queue and its DLQ, under a fresh stage name. */
async function executionQueues(sqs: SQSClient): Promise<Queues> {
  const specs = testDefinitions().queues;
  const stage = `contract${process.pid}x${++queueCount}`;
  const created = await createQueues(sqs, specs, (s) =>
    s.queueName.replace(/-[^-]+-execution/, `-${stage}-execution`),
  );
  const main = created.find((q) => q.logicalId === 'ExecutionQueue');
  const dlq = created.find((q) => q.logicalId === 'ExecutionDeadLetterQueue');
  const maxReceiveCount = specs.find((s) => s.logicalId === 'ExecutionQueue')?.deadLetter?.maxReceiveCount;
  if (!main || !dlq || maxReceiveCount === undefined)
    throw new Error('serverless.yml has no execution queue with a DLQ');
  return { queueUrl: main.url, dlqUrl: dlq.url, maxReceiveCount };
}

async function receive(sqs: SQSClient, queueUrl: string, visibilitySeconds?: number): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      ...(visibilitySeconds === undefined ? {} : { VisibilityTimeout: visibilitySeconds }),
    }),
  );
  return out.Messages ?? [];
}

async function counts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

function handle(m: Message | undefined): string {
  if (!m?.ReceiptHandle) throw new Error('no message received');
  return m.ReceiptHandle;
}

function bodies(messages: readonly Message[]): string[] {
  return messages.map((m) => m.Body ?? '').sort();
}

const modes = [
  { mode: 'persistent (books stack up)', persistent: true },
  { mode: 'in memory (the jest stack)', persistent: false },
] as const;

describe.each(modes)('the embedded SQS server, $mode', ({ persistent }) => {
  let server: Server;
  let queues: Queues;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'books-sqs-contract-'));
    server = await startServer(persistent ? join(home, 'sqs') : null, home);
  }, 60_000);
  afterAll(async () => {
    await stopServer(server);
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    queues = await executionQueues(server.sqs);
  });

  it('delivers a SendMessageBatch with bodies, message attributes and ApproximateReceiveCount 1, then hides what it delivered', async () => {
    const { sqs } = server;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: ['a', 'b', 'c'].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageAttributes: { client_order_id: { DataType: 'String', StringValue: `coid-${body}` } },
        })),
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    const got = await receive(sqs, queues.queueUrl);
    expect(bodies(got)).toEqual(['a', 'b', 'c']);
    for (const m of got) {
      expect(m.Attributes?.ApproximateReceiveCount).toBe('1');
      expect(m.MessageAttributes?.client_order_id?.StringValue).toBe(`coid-${m.Body}`);
    }
    expect(await receive(sqs, queues.queueUrl)).toEqual([]);
    expect(await counts(sqs, queues.queueUrl)).toEqual({ visible: 0, inFlight: 3 });
  });

  it('redelivers at once a message whose visibility is changed to 0, counting the receive', async () => {
    const { sqs } = server;
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'retry me' }));
    const [first] = await receive(sqs, queues.queueUrl);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queues.queueUrl,
        ReceiptHandle: handle(first),
        VisibilityTimeout: 0,
      }),
    );
    expect(await counts(sqs, queues.queueUrl)).toEqual({ visible: 1, inFlight: 0 });
    const again = await receive(sqs, queues.queueUrl);
    expect(bodies(again)).toEqual(['retry me']);
    expect(again[0]?.MessageId).toBe(first?.MessageId);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('keeps a message hidden for the visibility it was changed to, then delivers it again', async () => {
    const { sqs } = server;
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'later' }));
    // Received with the queue's own 720 s, then shortened to 1 s.
    const [first] = await receive(sqs, queues.queueUrl);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queues.queueUrl,
        ReceiptHandle: handle(first),
        VisibilityTimeout: 1,
      }),
    );
    expect(await receive(sqs, queues.queueUrl)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_300));
    const again = await receive(sqs, queues.queueUrl);
    expect(bodies(again)).toEqual(['later']);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('honours the VisibilityTimeout of a ReceiveMessage over the queue default', async () => {
    const { sqs } = server;
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'short' }));
    expect(bodies(await receive(sqs, queues.queueUrl, 1))).toEqual(['short']);
    expect(await receive(sqs, queues.queueUrl)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(bodies(await receive(sqs, queues.queueUrl))).toEqual(['short']);
  });

  it('removes for good what DeleteMessage and DeleteMessageBatch delete', async () => {
    const { sqs } = server;
    for (const body of ['one', 'two', 'three'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
    const got = await receive(sqs, queues.queueUrl, 1);
    expect(got).toHaveLength(3);
    const [single, ...rest] = got;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: handle(single) }));
    const batch = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: rest.map((m, i) => ({ Id: String(i), ReceiptHandle: handle(m) })),
      }),
    );
    expect(batch.Failed ?? []).toEqual([]);
    expect(await counts(sqs, queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await receive(sqs, queues.queueUrl)).toEqual([]);
  });

  it('moves a message received maxReceiveCount times to the DLQ, body, attributes and all', async () => {
    const { sqs } = server;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: 'poison',
        MessageAttributes: { client_order_id: { DataType: 'String', StringValue: 'coid-poison' } },
      }),
    );
    for (let n = 1; n <= queues.maxReceiveCount; n++) {
      const [m] = await receive(sqs, queues.queueUrl);
      expect(m?.Attributes?.ApproximateReceiveCount).toBe(String(n));
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queues.queueUrl,
          ReceiptHandle: handle(m),
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(await receive(sqs, queues.queueUrl)).toEqual([]);
    expect(await counts(sqs, queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await counts(sqs, queues.dlqUrl)).toEqual({ visible: 1, inFlight: 0 });
    const [dead] = await receive(sqs, queues.dlqUrl);
    expect(dead?.Body).toBe('poison');
    expect(dead?.MessageAttributes?.client_order_id?.StringValue).toBe('coid-poison');
  });

  it('lists a queue without consuming it (books dlq list): every message, all visible again after, twice over', async () => {
    const { sqs } = server;
    const sentBodies = Array.from({ length: 13 }, (_, i) => `dead-${String(i).padStart(2, '0')}`);
    for (const body of sentBodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: body }));
    for (let pass = 1; pass <= 2; pass++) {
      const listed = await withPeekedMessages(sqs, queues.dlqUrl, async (messages) =>
        messages.map((m) => m.body).sort(),
      );
      expect(listed).toEqual(sentBodies);
      expect(await counts(sqs, queues.dlqUrl)).toEqual({ visible: 13, inFlight: 0 });
    }
  });

  it('leaves every message in the queue when the work on a listing fails part-way', async () => {
    const { sqs } = server;
    for (const body of ['x', 'y'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: body }));
    await expect(
      withPeekedMessages(sqs, queues.dlqUrl, async () => {
        throw new Error('explaining failed');
      }),
    ).rejects.toThrow('explaining failed');
    expect(await counts(sqs, queues.dlqUrl)).toEqual({ visible: 2, inFlight: 0 });
  });

  it('redrives from the DLQ as books dlq redrive does: the chosen message back on the queue, the rest left in the DLQ', async () => {
    const { sqs } = server;
    for (const body of ['redrive me', 'keep me'])
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.dlqUrl,
          MessageBody: body,
          MessageAttributes: { client_order_id: { DataType: 'String', StringValue: `coid-${body}` } },
        }),
      );
    await withPeekedMessages(sqs, queues.dlqUrl, async (messages, consumed) => {
      for (const m of messages.filter((x) => x.body === 'redrive me')) {
        await moveMessage(sqs, m, queues.dlqUrl, queues.queueUrl);
        consumed.add(m.messageId);
      }
    });
    expect(await counts(sqs, queues.dlqUrl)).toEqual({ visible: 1, inFlight: 0 });
    const back = await receive(sqs, queues.queueUrl);
    expect(bodies(back)).toEqual(['redrive me']);
    expect(back[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(back[0]?.MessageAttributes?.client_order_id?.StringValue).toBe('coid-redrive me');
    expect(bodies(await receive(sqs, queues.dlqUrl))).toEqual(['keep me']);
  });

  it("lets the local poller (books run's event source) redeliver a record its handler reported failed, and lose nothing", async () => {
    const { sqs } = server;
    for (const body of ['ok', 'flaky'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
    const receiveCounts: string[] = [];
    const report = await drainQueue(
      sqs,
      queues.queueUrl,
      async (event: { Records: SqsEventRecord[] }) => {
        const failures = [];
        for (const r of event.Records)
          if (r.body === 'flaky') {
            receiveCounts.push(r.attributes.ApproximateReceiveCount);
            // A retryable failure the first time only.
            if (r.attributes.ApproximateReceiveCount === '1') failures.push({ itemIdentifier: r.messageId });
          }
        return { batchItemFailures: failures };
      },
      silent,
      { retryDelaySeconds: 0, batchSize: 10 },
    );
    expect(report).toEqual({ delivered: 3, succeeded: 2, failed: 1 });
    expect(receiveCounts).toEqual(['1', '2']);
    expect(await counts(sqs, queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await counts(sqs, queues.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('the persistent embedded SQS server across a restart', () => {
  const home = mkdtempSync(join(tmpdir(), 'books-sqs-restart-'));
  const dataDir = join(home, 'sqs');
  let server: Server;
  afterAll(async () => {
    await stopServer(server);
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    { how: 'stopped (SIGTERM)', graceMs: 5_000 },
    { how: 'killed (SIGKILL)', graceMs: 0 },
  ])(
    'keeps visible, in-flight and dead-lettered messages, their receive counts and receipt handles when $how',
    async ({ graceMs }) => {
      server = await startServer(dataDir, home);
      const port = server.record.port;
      const queues = await executionQueues(server.sqs);
      const { sqs } = server;
      for (const body of ['waiting', 'in flight', 'retried'])
        await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: 'dead' }));
      const got = await receive(sqs, queues.queueUrl);
      const inFlight = got.find((m) => m.Body === 'in flight');
      for (const m of got.filter((x) => x.Body !== 'in flight'))
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queues.queueUrl,
            ReceiptHandle: handle(m),
            VisibilityTimeout: 0,
          }),
        );
      expect(await counts(sqs, queues.queueUrl)).toEqual({ visible: 2, inFlight: 1 });
      // And one dead-lettered by the redrive policy, on queues of its own.
      const poisoned = await executionQueues(sqs);
      await sqs.send(new SendMessageCommand({ QueueUrl: poisoned.queueUrl, MessageBody: 'poison' }));
      for (let n = 1; n <= poisoned.maxReceiveCount; n++) {
        const [m] = await receive(sqs, poisoned.queueUrl);
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: poisoned.queueUrl,
            ReceiptHandle: handle(m),
            VisibilityTimeout: 0,
          }),
        );
      }
      expect(await receive(sqs, poisoned.queueUrl)).toEqual([]);

      await stopServer(server, graceMs);
      server = await startServer(dataDir, home, port);

      expect(await counts(server.sqs, queues.queueUrl)).toEqual({ visible: 2, inFlight: 1 });
      expect(await counts(server.sqs, queues.dlqUrl)).toEqual({ visible: 1, inFlight: 0 });
      expect(await counts(server.sqs, poisoned.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
      expect(bodies(await receive(server.sqs, poisoned.dlqUrl))).toEqual(['poison']);
      const after = await receive(server.sqs, queues.queueUrl);
      expect(bodies(after)).toEqual(['retried', 'waiting']);
      // Both were received once before the restart: the count survives it.
      expect(after.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['2', '2']);
      // The in-flight message's receipt handle still works: it can be released and redelivered.
      await server.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queues.queueUrl,
          ReceiptHandle: handle(inFlight),
          VisibilityTimeout: 0,
        }),
      );
      const released = await receive(server.sqs, queues.queueUrl);
      expect(bodies(released)).toEqual(['in flight']);
      expect(released[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
      await stopServer(server);
    },
    60_000,
  );
});
