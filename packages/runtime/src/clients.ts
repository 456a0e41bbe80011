import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { BooksError } from '@books/core';
import type { RuntimeEnv } from './env';
import { eventBridgeSdk, sqsSdk } from './lazy-sdk';
import { SDK_LOGGER } from './sdk-logger';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly eventbridge: EventBridgeClient;
  /** The stage's topic (the notifier's digests and alerts). */
  readonly sns: SNSClient;
  /** SES v2 (the notifier's e-mail, when the stage names a sender). */
  readonly sesv2: SESv2Client;
}

/** One AWS API call as a client sends it: the service's client, the operation and its input. */
export interface AwsCall {
  /** The SDK's client name, e.g. `DynamoDBClient`. */
  readonly client: string;
  /** The operation, e.g. `TransactWriteItems`. */
  readonly operation: string;
  readonly input: unknown;
}

/** Where calls are recorded (tests: the IAM check proves each against the function's role). */
export interface AwsCallRecorder {
  record(call: AwsCall): void;
}

let installedRecorder: AwsCallRecorder | undefined;

/**
 * Records every call of the clients created from now on (undefined: stop recording new clients).
 * For tests only: a deployed function never installs one.
 */
export function installAwsCallRecorder(recorder: AwsCallRecorder | undefined): void {
  installedRecorder = recorder;
}

/** Credentials and region for the embedded servers, which accept any. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';

/**
 * A client's configuration: an endpoint variable points it at the embedded stack instead of AWS.
 * Against AWS the region is the deployment's: the SDK's default chain (Lambda sets AWS_REGION).
 * Every client logs the SDK's warnings (sdk-logger.ts).
 */
function configOf(endpoint: string | undefined) {
  return endpoint
    ? { region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, logger: SDK_LOGGER }
    : { logger: SDK_LOGGER };
}

/** Makes one client of a stage; each lives in a function's wiring, so a bundle holds only the clients it makes. */
export type AwsClientMaker<K extends keyof AwsClients> = (env: RuntimeEnv) => AwsClients[K];

/** The clients a function makes, by the name its services reach them by. */
export type AwsClientMakers = { readonly [K in keyof AwsClients]?: AwsClientMaker<K> };

export const dynamodbClient: AwsClientMaker<'dynamodb'> = (env) =>
  new DynamoDBClient(configOf(env.BOOKS_DYNAMODB_ENDPOINT));

/** SQS's SDK is loaded with its client, on first use (lazy-sdk.ts). */
export const sqsClient: AwsClientMaker<'sqs'> = (env) =>
  new (sqsSdk().SQSClient)(configOf(env.BOOKS_SQS_ENDPOINT));

export const s3Client: AwsClientMaker<'s3'> = (env) =>
  new S3Client({ ...configOf(env.BOOKS_S3_ENDPOINT), forcePathStyle: env.BOOKS_S3_ENDPOINT !== undefined });

export const ssmClient: AwsClientMaker<'ssm'> = (env) => new SSMClient(configOf(env.BOOKS_SSM_ENDPOINT));

/** EventBridge's SDK is loaded with its client, on first use (lazy-sdk.ts). */
export const eventbridgeClient: AwsClientMaker<'eventbridge'> = (env) =>
  new (eventBridgeSdk().EventBridgeClient)(configOf(env.BOOKS_EVENTBRIDGE_ENDPOINT));

export const snsClient: AwsClientMaker<'sns'> = (env) => new SNSClient(configOf(env.BOOKS_SNS_ENDPOINT));

export const sesv2Client: AwsClientMaker<'sesv2'> = (env) =>
  new SESv2Client(configOf(env.BOOKS_SES_ENDPOINT));

/** Every client: for the CLI, the embedded stack and tests, which bundle them all anyway. */
export const ALL_AWS_CLIENTS: AwsClientMakers = {
  dynamodb: dynamodbClient,
  sqs: sqsClient,
  s3: s3Client,
  ssm: ssmClient,
  eventbridge: eventbridgeClient,
  sns: snsClient,
  sesv2: sesv2Client,
};

/** A function reached for a client its wiring does not make (and its bundle does not hold). */
export class AwsClientNotWired extends BooksError {
  static override readonly errorName: string = 'AwsClientNotWired';
  constructor(
    readonly client: keyof AwsClients,
    readonly owner: string,
  ) {
    super('AWS_CLIENT_NOT_WIRED', `${owner} makes no ${client} client: add it to the function's wiring`, {
      client,
      owner,
    });
  }
}

/**
 * The stage's AWS clients, each made on its first use (a cold start pays for none it does not
 * use) by the `makers` of the function `owner`, then kept for the process. A client not among the
 * makers is refused by name. A recorder installed when a client is made records its calls.
 */
export function lazyAwsClients(env: RuntimeEnv, makers: AwsClientMakers, owner: string): AwsClients {
  const made: { -readonly [K in keyof AwsClients]?: AwsClients[K] } = {};
  const get = <K extends keyof AwsClients>(name: K): AwsClients[K] => {
    const existing = made[name];
    if (existing) return existing;
    const make: AwsClientMaker<K> | undefined = makers[name];
    if (!make) throw new AwsClientNotWired(name, owner);
    const client = make(env);
    const recorder = installedRecorder;
    if (recorder) recordCalls(client, recorder);
    made[name] = client;
    return client;
  };
  return {
    get dynamodb() {
      return get('dynamodb');
    },
    get sqs() {
      return get('sqs');
    },
    get s3() {
      return get('s3');
    },
    get ssm() {
      return get('ssm');
    },
    get eventbridge() {
      return get('eventbridge');
    },
    get sns() {
      return get('sns');
    },
    get sesv2() {
      return get('sesv2');
    },
  };
}

/** Every AWS client of the stage, each made on first use (the CLI, the embedded stack, tests). */
export function createAwsClients(env: RuntimeEnv): AwsClients {
  return lazyAwsClients(env, ALL_AWS_CLIENTS, 'books');
}

/** A client whose calls can be recorded (each of AwsClients). */
interface Recordable {
  readonly middlewareStack: {
    add(middleware: ReturnType<typeof recording>, options: typeof RECORDER): void;
  };
}

function recordCalls(client: Recordable, recorder: AwsCallRecorder): void {
  client.middlewareStack.add(recording(recorder), RECORDER);
}

/** A middleware that records each call before it is sent (an SDK retry is the same call). */
function recording(recorder: AwsCallRecorder) {
  return <A extends { input: object }, R>(
    next: (args: A) => Promise<R>,
    context: { clientName?: string; commandName?: string },
  ) =>
    async (args: A): Promise<R> => {
      recorder.record({
        client: context.clientName ?? 'unknown',
        operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
        input: args.input,
      });
      return next(args);
    };
}

const RECORDER = { step: 'initialize', name: 'booksAwsCallRecorder' } as const;
