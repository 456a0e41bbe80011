import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createLogger, ManualClock } from '@books/core';
import { EVENT_SOURCE, runCompletedEvent } from '@books/events';
import { notifierHandlerFunction } from '@books/notifier';
import {
  dynamodbClient,
  parseRuntimeEnv,
  type Services,
  servicesWith,
  sesv2Client,
  snsClient,
  ssmClient,
} from '@books/runtime';
import { createTestTable, type TestTable } from '@books/testkit';
import * as z from 'zod';
import { type MotoServer, startMoto } from '../support/moto-server';

/** A RunCompleted as EventBridge hands it to the notifier (the stage event as its detail). */
function delivered(date: string) {
  const event = runCompletedEvent(
    { stage: 'test', occurredAt: `${date}T20:00:00.000Z` },
    { runId: `test-${date}`, tradingDate: date },
  );
  return { source: EVENT_SOURCE, 'detail-type': event.type, detail: JSON.parse(JSON.stringify(event)) };
}

/** What moto keeps of each sent mail (`/moto-api/data.json`, `ses.Message`): the HTML body of a simple mail. */
const MotoMessagesSchema = z.object({
  ses: z
    .object({
      Message: z.array(
        z.object({
          source: z.string(),
          subject: z.string(),
          body: z.string(),
          destinations: z.object({ ToAddresses: z.array(z.string()) }),
        }),
      ),
    })
    .partial()
    .optional(),
});

/** One request as moto's recorder wrote it. */
const RecordedSchema = z.object({
  method: z.string(),
  url: z.string(),
  body: z.string(),
  body_encoded: z.boolean(),
});

const SendEmailBodySchema = z.object({
  FromEmailAddress: z.string(),
  Content: z.object({
    Simple: z.object({
      Subject: z.object({ Data: z.string() }),
      Body: z.object({ Html: z.object({ Data: z.string() }), Text: z.object({ Data: z.string() }) }),
    }),
  }),
});

/**
 * The deployed notifier's e-mail on moto: SES v2 (the sender's identity verified in moto) beside
 * the stage's topic, the ledger on DynamoDB Local. moto keeps each sent mail's HTML body; its
 * request recorder keeps what SendEmail carried, the text part with it.
 */
describe("the notifier's e-mail through SES on moto", () => {
  jest.setTimeout(120_000);
  const from = 'books@example.com';
  const to = ['trader@example.com'];
  const recording = mkdtempSync(join(tmpdir(), 'books-moto-recording-'));
  let moto: MotoServer;
  let table: TestTable;
  let sqs: SQSClient;
  let inbox: string;
  let topicArn: string;
  const aws = () => ({
    endpoint: moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

  /** A notifier as a fresh container builds it (nothing remembered in its process). */
  async function notifier(): Promise<(event: unknown) => Promise<unknown>> {
    const env = parseRuntimeEnv({
      BOOKS_STAGE: 'test',
      BOOKS_TABLE_NAME: table.tableName,
      BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
      BOOKS_BROKER_MODE: 'alpaca-paper',
      BOOKS_DYNAMODB_ENDPOINT: process.env.BOOKS_TEST_DYNAMODB_ENDPOINT,
      BOOKS_SNS_ENDPOINT: moto.url,
      BOOKS_SES_ENDPOINT: moto.url,
      BOOKS_SSM_ENDPOINT: moto.url,
      BOOKS_LOG_LEVEL: 'silent',
    });
    // The handler's wiring (packages/notifier/src/handler.ts) but the bars, which no book here needs.
    const services: Services = await servicesWith(
      env,
      { clients: { dynamodb: dynamodbClient, ssm: ssmClient, sns: snsClient, sesv2: sesv2Client } },
      {
        clock: new ManualClock('2024-03-15T20:05:00.000Z'),
        logger: createLogger({ service: 'test' }, { level: 'silent' }),
        processEnv: {},
        caller: 'notifier',
      },
    );
    return notifierHandlerFunction(services, { topicArn, email: { from, to } });
  }

  async function sentMails() {
    const data = MotoMessagesSchema.parse(await (await fetch(`${moto.url}/moto-api/data.json`)).json());
    return data.ses?.Message ?? [];
  }

  /** Every SendEmail request moto received, as its recorder wrote it. */
  function sendEmailRequests() {
    const lines = readFileSync(join(recording, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean);
    return lines
      .map((l) => RecordedSchema.parse(JSON.parse(l)))
      .filter((r) => r.method === 'POST' && r.url.includes('/v2/email/outbound-emails'))
      .map((r) =>
        SendEmailBodySchema.parse(
          JSON.parse(r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body),
        ),
      );
  }

  async function topicMessages(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (!r.Messages?.length) return out;
      for (const m of r.Messages)
        out.push(z.object({ Subject: z.string() }).parse(JSON.parse(m.Body ?? '{}')).Subject);
    }
  }

  beforeAll(async () => {
    moto = await startMoto({ MOTO_RECORDER_FILEPATH: join(recording, 'requests.jsonl') });
    const started = await fetch(`${moto.url}/moto-api/recorder/start-recording`, { method: 'POST' });
    expect(started.ok).toBe(true);
    table = await createTestTable('notifier-email');
    const sns = new SNSClient(aws());
    sqs = new SQSClient(aws());
    topicArn = z.string().parse((await sns.send(new CreateTopicCommand({ Name: 'books-alarms' }))).TopicArn);
    inbox = z.string().parse((await sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl);
    const inboxArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
  });
  afterAll(async () => {
    await moto?.stop();
    await table?.cleanup();
    rmSync(recording, { recursive: true, force: true });
  });

  it('refuses an unverified sender in SES only: the topic still gets the digest, the invocation fails, and the retry mails it once without publishing again', async () => {
    const event = delivered('2024-03-14');
    await expect((await notifier())(event)).rejects.toThrow(
      '1 of 2 sink(s) failed to deliver digest#test-2024-03-14',
    );
    expect(await topicMessages()).toEqual(['strategy-books test 2024-03-14: 0 fill(s), 0 break(s)']);
    expect(await sentMails()).toEqual([]);

    await new SESv2Client(aws()).send(new CreateEmailIdentityCommand({ EmailIdentity: from }));
    // EventBridge's retry, in a fresh container.
    await (await notifier())(event);
    expect((await sentMails()).map((m) => m.subject)).toEqual([
      'strategy-books test 2024-03-14: 0 fill(s), 0 break(s)',
    ]);
    expect(await topicMessages()).toEqual([]);
  });

  it("mails a run's digest as HTML with its text part from the verified sender, and a second delivery of the event sends nothing new", async () => {
    const before = (await sentMails()).length;
    const requestsBefore = sendEmailRequests().length;
    const event = delivered('2024-03-15');
    await (await notifier())(event);

    const mails = (await sentMails()).slice(before);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.source).toBe(from);
    expect(mail?.destinations.ToAddresses).toEqual(to);
    expect(mail?.subject).toBe('strategy-books test 2024-03-15: 0 fill(s), 0 break(s)');
    expect(mail?.body).toMatch(/^<!doctype html>.*<h1>test 2024-03-15<\/h1>.*<h2>Controls in force<\/h2>/s);
    const request = sendEmailRequests().at(-1);
    expect(request?.Content.Simple.Body.Html.Data).toBe(mail?.body);
    expect(request?.Content.Simple.Body.Text.Data).toMatch(
      /^strategy-books test 2024-03-15: 0 fill\(s\), 0 break\(s\)\nrun test-2024-03-15: NO RUN\n[\s\S]*controls in force:/,
    );
    expect(await topicMessages()).toEqual(['strategy-books test 2024-03-15: 0 fill(s), 0 break(s)']);

    // The same event again (a redelivery, in a fresh container): nothing new through any sink.
    await (await notifier())(event);
    expect(await sentMails()).toHaveLength(before + 1);
    expect(sendEmailRequests()).toHaveLength(requestsBefore + 1);
    expect(await topicMessages()).toEqual([]);
  });
});
