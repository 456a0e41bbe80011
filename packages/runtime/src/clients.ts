import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { RuntimeEnv } from './env';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly eventbridge: EventBridgeClient;
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
 * AWS SDK clients; an endpoint variable points a client at the embedded stack instead of AWS.
 * Against AWS the region is the deployment's: the SDK's default chain (Lambda sets AWS_REGION).
 */
export function createAwsClients(env: RuntimeEnv): AwsClients {
  const config = (endpoint: string | undefined) =>
    endpoint ? { region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS } : {};
  const clients = {
    dynamodb: new DynamoDBClient(config(env.BOOKS_DYNAMODB_ENDPOINT)),
    sqs: new SQSClient(config(env.BOOKS_SQS_ENDPOINT)),
    s3: new S3Client({
      ...config(env.BOOKS_S3_ENDPOINT),
      forcePathStyle: env.BOOKS_S3_ENDPOINT !== undefined,
    }),
    ssm: new SSMClient(config(env.BOOKS_SSM_ENDPOINT)),
    eventbridge: new EventBridgeClient(config(env.BOOKS_EVENTBRIDGE_ENDPOINT)),
  };
  const recorder = installedRecorder;
  if (recorder) {
    clients.dynamodb.middlewareStack.add(recording(recorder), RECORDER);
    clients.sqs.middlewareStack.add(recording(recorder), RECORDER);
    clients.s3.middlewareStack.add(recording(recorder), RECORDER);
    clients.ssm.middlewareStack.add(recording(recorder), RECORDER);
    clients.eventbridge.middlewareStack.add(recording(recorder), RECORDER);
  }
  return clients;
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
