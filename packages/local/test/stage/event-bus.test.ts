import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  EVENT_SOURCE,
  runCompletedEvent,
  type StageEvent,
  StageEventSchema,
  tradeExecutedEvent,
} from '@books/events';
import { EventBridgePublisher } from '@books/runtime';
import * as z from 'zod';
import { type MotoServer, startMoto } from '../support/moto-server';

/**
 * The EventBridge adapter against moto's server: the stage's bus with a user's rule sending every
 * event of the stage to an SQS queue (as the commented rule of serverless.yml shows).
 */
describe('the EventBridge publisher on moto', () => {
  jest.setTimeout(120_000);
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const region = 'us-east-1';
  const busName = 'strategy-books-moto-events';
  let moto: MotoServer;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let queueUrl: string;

  const origin = { stage: 'moto', occurredAt: '2024-03-15T19:30:05.000Z' };
  const fill = (n: number): StageEvent =>
    tradeExecutedEvent(origin, {
      strategyId: 'momentum',
      runId: 'moto-2024-03-15',
      clientOrderId: `moto-2024-03-15.momentum.SYM${n}.buy.0`,
      orderId: `order-${n}`,
      symbol: `SYM${n}`,
      side: 'buy',
      quantity: '3',
      price: '101.5',
      fees: '0',
      finalState: 'FILLED',
      filledAt: origin.occurredAt,
    });

  beforeAll(async () => {
    moto = await startMoto();
    events = new EventBridgeClient({ endpoint: moto.url, region, credentials });
    sqs = new SQSClient({ endpoint: moto.url, region, credentials });
    await events.send(new CreateEventBusCommand({ Name: busName }));
    queueUrl = z
      .string()
      .parse((await sqs.send(new CreateQueueCommand({ QueueName: 'my-events' }))).QueueUrl);
    const queueArn = z
      .string()
      .parse(
        (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
          .Attributes?.QueueArn,
      );
    await events.send(
      new PutRuleCommand({
        Name: 'my-trades',
        EventBusName: busName,
        EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'my-trades',
        EventBusName: busName,
        Targets: [{ Id: 'q', Arn: queueArn }],
      }),
    );
  });
  afterAll(async () => {
    await moto?.stop();
  });

  async function received(): Promise<{ detailType: string; detail: unknown }[]> {
    const out: { detailType: string; detail: unknown }[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      for (const m of r.Messages ?? []) {
        const body = z
          .object({ 'detail-type': z.string(), detail: z.unknown() })
          .parse(JSON.parse(m.Body ?? ''));
        out.push({ detailType: body['detail-type'], detail: body.detail });
      }
      if ((r.Messages ?? []).length === 0) break;
    }
    return out;
  }

  it("delivers every event to a user's target with its type as detail-type and its envelope as detail", async () => {
    // 12 events: more than one PutEvents call (10 entries each).
    const batch = [
      ...Array.from({ length: 11 }, (_, i) => fill(i)),
      runCompletedEvent(origin, { runId: 'moto-2024-03-15', tradingDate: '2024-03-15' }),
    ];
    await new EventBridgePublisher(events, busName).publish(batch);
    const got = await received();
    expect(got).toHaveLength(12);
    const parsed = got.map((g) => ({ type: g.detailType, event: StageEventSchema.parse(g.detail) }));
    expect(new Set(parsed.map((p) => p.event.id))).toEqual(new Set(batch.map((e) => e.id)));
    for (const p of parsed) expect(p.type).toBe(p.event.type);
  });

  it('republishes the same ids: a consumer dedupes a retried publish by id', async () => {
    const publisher = new EventBridgePublisher(events, busName);
    await publisher.publish([fill(1)]);
    await publisher.publish([fill(1)]);
    const ids = (await received()).map((g) => StageEventSchema.parse(g.detail).id);
    expect(ids).toEqual([fill(1).id, fill(1).id]);
  });

  it('fails the publish when the bus refuses an entry, naming the event', async () => {
    const publisher = new EventBridgePublisher(events, 'no-such-bus');
    await expect(publisher.publish([fill(2)])).rejects.toThrow(/refused|not/i);
  });
});
