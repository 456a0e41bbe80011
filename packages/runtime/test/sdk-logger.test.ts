import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HttpResponse } from '@smithy/core/protocols';
import * as z from 'zod';
import { dynamodbClient, parseRuntimeEnv, SDK_LOGGER, sqsClient, ssmClient } from '../src';

/**
 * A DynamoDB client answered by a stub (an empty GetItem response), whose calls report whether the
 * SDK's logger middleware built their filtered input and output for logging.
 */
function clientCountingLogFilters(logger: DynamoDBClient['config']['logger']) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    logger,
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from('{}')]),
        }),
      }),
    },
  });
  const filtered = jest.fn((x: unknown) => x);
  // Inside the logger middleware (initialize step): the filters it would call after the response.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      context.inputFilterSensitiveLog = filtered;
      context.outputFilterSensitiveLog = filtered;
      return next(args);
    },
    { step: 'build' },
  );
  const get = () =>
    client.send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'a' }, SK: { S: 'b' } } }));
  return { client, filtered, get };
}

describe("the AWS SDK clients' logger", () => {
  afterEach(() => jest.restoreAllMocks());

  it("writes the SDK's warnings to the console and drops its per-call lines, a failed call's with its input", () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    SDK_LOGGER.warn('socket usage at capacity');
    SDK_LOGGER.error({ commandName: 'PutItemCommand', input: { Item: {} }, error: 'ConditionalCheckFailed' });
    SDK_LOGGER.info({ commandName: 'GetItemCommand' });
    SDK_LOGGER.debug('endpoint resolved');
    SDK_LOGGER.trace();
    expect(warn).toHaveBeenCalledWith('socket usage at capacity');
    expect(error).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
    expect(debug).not.toHaveBeenCalled();
  });

  it('is given to every client a function makes, against AWS and against the embedded stack', () => {
    const base = {
      BOOKS_STAGE: 'test',
      BOOKS_TABLE_NAME: 'strategy-books-test-ledger',
      BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
      BOOKS_BROKER_MODE: 'simulated',
      AWS_REGION: 'eu-west-1',
    };
    for (const env of [base, { ...base, BOOKS_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }]) {
      const runtime = parseRuntimeEnv(env);
      for (const client of [dynamodbClient(runtime), sqsClient(runtime), ssmClient(runtime)]) {
        expect(client.config.logger).toBe(SDK_LOGGER);
        client.destroy();
      }
    }
  });

  it('is the very NoOpLogger class the clients import, so no successful call builds its input and output for a log line', async () => {
    // The class the DynamoDB client's middleware checks with instanceof, resolved as the client resolves it.
    const fromClient = z
      .object({ NoOpLogger: z.custom<abstract new () => unknown>((v) => typeof v === 'function') })
      .parse(
        require(
          require.resolve('@smithy/core/client', {
            paths: [dirname(require.resolve('@aws-sdk/client-dynamodb'))],
          }),
        ),
      ).NoOpLogger;
    expect(SDK_LOGGER).toBeInstanceOf(fromClient);

    const quiet = clientCountingLogFilters(SDK_LOGGER);
    await quiet.get();
    expect(quiet.filtered).not.toHaveBeenCalled();
    quiet.client.destroy();

    // Any other logger gets every call's filtered input and output (what this class avoids).
    const info = jest.fn();
    const plain = clientCountingLogFilters({ debug: jest.fn(), info, warn: jest.fn(), error: jest.fn() });
    await plain.get();
    expect(plain.filtered).toHaveBeenCalledTimes(2);
    expect(info).toHaveBeenCalledTimes(1);
    plain.client.destroy();
  });
});
