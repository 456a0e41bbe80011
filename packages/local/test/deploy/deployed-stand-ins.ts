import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { type Broker, ssmKeyProvider } from '@books/broker';
import { SqsExecutionQueue } from '@books/queue';
import {
  createAwsClients,
  createBarStore,
  createControlsStore,
  createFlowFlags,
  EventBridgePublisher,
  type Services,
} from '@books/runtime';
import type { FakeSsmServer, TestBucket } from '@books/testkit';
import * as z from 'zod';

/** Where a deployed function of the stage reads its keys, flags and bars (as the template sets them). */
export interface DeployedLocations {
  readonly alpacaKeyPrefix: string;
  /** `ssm:/prefix`, as BOOKS_FLOW_FLAGS. */
  readonly flowFlags: string;
  /** `ssm:/prefix`, as BOOKS_CONTROLS. */
  readonly controls: string;
  readonly barsPrefix: string;
  /** The stage's event bus, as BOOKS_EVENT_BUS_NAME. */
  readonly eventBus: string;
}

/** Copies the sample bars (a CSV directory) into the bucket, under the deployed prefix. */
export async function uploadBars(bucket: TestBucket, barsDir: string, prefix: string): Promise<void> {
  for (const file of readdirSync(barsDir))
    await bucket.client.send(
      new PutObjectCommand({
        Bucket: bucket.bucket,
        Key: `${prefix}${file}`,
        Body: readFileSync(join(barsDir, file)),
      }),
    );
}

/**
 * A function's services with the deployed parts in place of the local ones, through clients the
 * runtime creates (so a recorder installed in it sees their calls): bars from S3, flow flags and
 * the broker's keys from SSM, the execution queue by name (as BOOKS_EXECUTION_QUEUE_NAME gives it). The simulated broker still trades; each function reads the keys
 * before its first broker request, as the Alpaca broker does.
 */
export function deployedServices(
  base: Services,
  at: {
    readonly s3Endpoint: string;
    readonly ssm: FakeSsmServer;
    readonly bucket: string;
    /** Where the stage's topic's messages (each Publish's input) are kept. */
    readonly published?: unknown[];
    /** Where the stage's e-mails (each SES SendEmail's input) are kept. */
    readonly mailed?: unknown[];
  },
  locations: DeployedLocations,
): Services {
  const env = {
    ...base.env,
    BOOKS_S3_ENDPOINT: at.s3Endpoint,
    BOOKS_SSM_ENDPOINT: at.ssm.endpoint,
    BOOKS_BARS: `s3://${at.bucket}/${locations.barsPrefix}`,
    // Never reached: acceptedBy answers PutEvents before a request is sent.
    BOOKS_EVENTBRIDGE_ENDPOINT: 'http://127.0.0.1:9',
    // Never reached: publishedTo answers Publish before a request is sent.
    BOOKS_SNS_ENDPOINT: 'http://127.0.0.1:9',
    // Never reached: mailedTo answers SendEmail before a request is sent.
    BOOKS_SES_ENDPOINT: 'http://127.0.0.1:9',
  };
  const clients = createAwsClients(env);
  publishedTo(clients.sns, at.published ?? []);
  mailedTo(clients.sesv2, at.mailed ?? []);
  const queueName = (base.env.BOOKS_EXECUTION_QUEUE_URL ?? '').split('/').pop() ?? '';
  const local = base.clients;
  return {
    ...base,
    env,
    // The ledger and the queue stay the local ones; SSM, S3, EventBridge, SNS and SES are the deployed stand-ins.
    clients: {
      get dynamodb() {
        return local.dynamodb;
      },
      get sqs() {
        return local.sqs;
      },
      s3: clients.s3,
      ssm: clients.ssm,
      eventbridge: clients.eventbridge,
      sns: clients.sns,
      sesv2: clients.sesv2,
    },
    bars: createBarStore(env, clients),
    queue: new SqsExecutionQueue(clients.sqs, { name: queueName }),
    flows: createFlowFlags(locations.flowFlags, clients.ssm),
    controls: createControlsStore(locations.controls, clients.ssm),
    broker: readingKeysFirst(
      base.broker,
      ssmKeyProvider(clients.ssm, locations.alpacaKeyPrefix, GetParameterCommand),
    ),
    events: acceptedBy(base.events, clients.eventbridge, locations.eventBus),
  };
}

/**
 * The stage's bus: the runtime's EventBridge client (recorded) whose PutEvents is answered here,
 * every entry accepted, before any request is sent; the events then go on to the local publisher.
 */
function acceptedBy(
  local: Services['events'],
  client: ReturnType<typeof createAwsClients>['eventbridge'],
  busName: string,
): Services['events'] {
  client.middlewareStack.add(
    (_next, _context) => async (args) => {
      const entries = z.object({ Entries: z.array(z.unknown()) }).parse(args.input).Entries;
      return {
        output: {
          $metadata: {},
          FailedEntryCount: 0,
          Entries: entries.map((_, i) => ({ EventId: `local-${i}` })),
        },
        response: {},
      } as never;
    },
    { step: 'finalizeRequest', name: 'acceptEveryEntry' },
  );
  const deployed = new EventBridgePublisher(client, busName);
  return {
    publish: async (events) => {
      await deployed.publish(events);
      await local.publish(events);
    },
  };
}

/** The stage's topic: the runtime's SNS client (recorded) whose Publish is answered here, its input kept. */
function publishedTo(client: ReturnType<typeof createAwsClients>['sns'], published: unknown[]): void {
  client.middlewareStack.add(
    (_next, _context) => async (args) => {
      published.push(args.input);
      return { output: { $metadata: {}, MessageId: `local-${published.length}` }, response: {} } as never;
    },
    { step: 'finalizeRequest', name: 'acceptEveryMessage' },
  );
}

/** The stage's e-mail: the runtime's SES client (recorded) whose SendEmail is answered here, its input kept. */
function mailedTo(client: ReturnType<typeof createAwsClients>['sesv2'], mailed: unknown[]): void {
  client.middlewareStack.add(
    (_next, _context) => async (args) => {
      mailed.push(args.input);
      return { output: { $metadata: {}, MessageId: `local-mail-${mailed.length}` }, response: {} } as never;
    },
    { step: 'finalizeRequest', name: 'acceptEveryEmail' },
  );
}

function readingKeysFirst(broker: Broker, keys: { keys(): Promise<unknown> }): Broker {
  const first =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await keys.keys();
      return f(...args);
    };
  return {
    getAccount: first(() => broker.getAccount()),
    getPositions: first(() => broker.getPositions()),
    getClock: first(() => broker.getClock()),
    getCalendar: first((start, end) => broker.getCalendar(start, end)),
    getAsset: first((symbol) => broker.getAsset(symbol)),
    placeOrder: first((request) => broker.placeOrder(request)),
    getOrder: first((id) => broker.getOrder(id)),
    getOrderByClientId: first((id) => broker.getOrderByClientId(id)),
    cancelOrder: first((id) => broker.cancelOrder(id)),
    listOpenOrders: first(() => broker.listOpenOrders()),
    listActivities: first((query) => broker.listActivities(query)),
    getLatestPrices: first((symbols) => broker.getLatestPrices(symbols)),
  };
}
