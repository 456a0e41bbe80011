import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type RenderedMessage, SnsNotificationSink, ssmParameter } from '@books/notifications';
import * as z from 'zod';
import { type MotoServer, startMoto } from '../support/moto-server';

/** The deployed delivery's adapters against moto: the stage's SNS topic, the webhook URL in SSM. */
describe('notification delivery on moto', () => {
  jest.setTimeout(120_000);
  const config = () => ({
    endpoint: moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("publishes the digest's text with an SNS-safe subject to the topic's subscribers", async () => {
    const sns = new SNSClient(config());
    const sqs = new SQSClient(config());
    const topicArn = z
      .string()
      .parse((await sns.send(new CreateTopicCommand({ Name: 'books-digest' }))).TopicArn);
    const queueUrl = z
      .string()
      .parse((await sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl);
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    const message: RenderedMessage = {
      kind: 'digest',
      date: '2024-03-15',
      subject: 'strategy-books prod 2024-03-15: 3 fill(s), 0 break(s) ■',
      html: '<p>ignored by SNS</p>',
      text: '■ momentum  [PLANNED]\n  fill buy 2 SPY @ 500\n',
    };
    await new SnsNotificationSink(sns, topicArn).deliver(message);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    const body = z
      .object({ Subject: z.string(), Message: z.string() })
      .parse(JSON.parse(received.Messages?.[0]?.Body ?? '{}'));
    expect(body).toEqual({
      Subject: 'strategy-books prod 2024-03-15: 3 fill(s), 0 break(s) ?',
      Message: message.text,
    });
  });

  it('reads the webhook URL from its SecureString parameter once, and none when it is absent', async () => {
    const ssm = new SSMClient(config());
    await ssm.send(
      new PutParameterCommand({
        Name: '/books/prod/webhook',
        Type: 'SecureString',
        Value: 'https://hooks.example/T/B/x',
      }),
    );
    const url = ssmParameter(ssm, '/books/prod/webhook');
    expect(await url()).toBe('https://hooks.example/T/B/x');
    expect(await url()).toBe('https://hooks.example/T/B/x');
    expect(await ssmParameter(ssm, '/books/prod/no-webhook')()).toBeUndefined();
  });
});
