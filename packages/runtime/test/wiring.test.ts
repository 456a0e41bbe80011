import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { createLogger, systemClock } from '@books/core';
import {
  type AwsCall,
  AwsClientNotWired,
  type AwsClients,
  dynamodbClient,
  installAwsCallRecorder,
  lazyAwsClients,
  s3Client,
  sqsClient,
  ssmClient,
} from '../src/clients';
import { parseRuntimeEnv } from '../src/env';
import { servicesWith } from '../src/services';
import { type FunctionWiring, sqsQueue } from '../src/wiring';

/** A deployed function's environment; nothing here is reached over the network. */
const env = parseRuntimeEnv({
  BOOKS_STAGE: 'test',
  BOOKS_TABLE_NAME: 'strategy-books-test-ledger',
  BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
  BOOKS_BROKER_MODE: 'alpaca-paper',
  BOOKS_ALPACA_KEY_SSM_PREFIX: '/strategy-books/test/alpaca',
  BOOKS_FLOW_FLAGS: 'ssm:/strategy-books/test/flows',
  BOOKS_BARS: 's3://strategy-books-test-bars/bars/',
  BOOKS_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
  BOOKS_SQS_ENDPOINT: 'http://127.0.0.1:1',
  BOOKS_S3_ENDPOINT: 'http://127.0.0.1:1',
  BOOKS_SSM_ENDPOINT: 'http://127.0.0.1:1',
  BOOKS_LOG_LEVEL: 'silent',
});

/** Makers that note each client they make. */
function counting(made: string[]) {
  const note =
    <K extends keyof AwsClients>(name: K, make: (e: typeof env) => AwsClients[K]) =>
    (e: typeof env): AwsClients[K] => {
      made.push(name);
      return make(e);
    };
  return {
    dynamodb: note('dynamodb', dynamodbClient),
    sqs: note('sqs', sqsClient),
    s3: note('s3', s3Client),
    ssm: note('ssm', ssmClient),
  };
}

const options = {
  clock: systemClock,
  logger: createLogger({ service: 'test' }, { level: 'silent' }),
  processEnv: {},
};

describe("a function's AWS clients", () => {
  afterEach(() => installAwsCallRecorder(undefined));

  it('are made on first use, once, and only by the makers its wiring names', () => {
    const made: string[] = [];
    const { dynamodb, ssm } = counting(made);
    const clients = lazyAwsClients(env, { dynamodb, ssm }, 'reconciler');
    expect(made).toEqual([]);
    expect(clients.dynamodb).toBe(clients.dynamodb);
    expect(made).toEqual(['dynamodb']);
    expect(() => clients.s3).toThrow(AwsClientNotWired);
    expect(() => clients.sqs).toThrow('reconciler makes no sqs client');
    expect(made).toEqual(['dynamodb']);
  });

  it('record their calls when a recorder is installed as they are made', async () => {
    const calls: AwsCall[] = [];
    const clients = lazyAwsClients(env, { ssm: ssmClient }, 'coordinator');
    installAwsCallRecorder({ record: (call) => calls.push(call) });
    // Nothing listens on port 1: the call is recorded before it is sent, then fails.
    await expect(clients.ssm.send(new GetParameterCommand({ Name: '/x' }))).rejects.toThrow();
    expect(calls.map((c) => `${c.client}.${c.operation}`)).toEqual(['SSMClient.GetParameter']);
    clients.ssm.destroy();
  });
});

describe("a function's services", () => {
  it('make no client the function does not reach: a coordinator builds its services with the ledger client alone', async () => {
    const made: string[] = [];
    const { dynamodb, ssm } = counting(made);
    const wiring: FunctionWiring = { clients: { dynamodb, ssm } };
    const services = await servicesWith(env, wiring, { ...options, caller: 'coordinator' });
    expect(made).toEqual(['dynamodb']);
    // Its flow flags are read through SSM, made when they are first read.
    const flows = services.flows;
    expect(made).toEqual(['dynamodb']);
    await expect(flows.read()).rejects.toThrow();
    expect(made).toEqual(['dynamodb', 'ssm']);
    services.clients.dynamodb.destroy();
    services.clients.ssm.destroy();
  });

  it('refuse, by name, a queue or bars from S3 the wiring does not make', async () => {
    const made: string[] = [];
    const { dynamodb, ssm } = counting(made);
    const services = await servicesWith(
      env,
      { clients: { dynamodb, ssm } },
      { ...options, caller: 'reconciler' },
    );
    expect(() => services.queue).toThrow('reconciler makes no sqs client');
    expect(() => services.bars).toThrow('reconciler makes no s3 client');
    expect(made).toEqual(['dynamodb']);
    services.clients.dynamodb.destroy();
  });

  it('make the queue and its SQS client on first access when the wiring names them', async () => {
    const made: string[] = [];
    const { dynamodb, sqs } = counting(made);
    const services = await servicesWith(env, { clients: { dynamodb, sqs }, queue: sqsQueue }, options);
    expect(made).toEqual(['dynamodb']);
    expect(services.queue).toBe(services.queue);
    expect(made).toEqual(['dynamodb', 'sqs']);
    services.clients.dynamodb.destroy();
    services.clients.sqs.destroy();
  });
});
