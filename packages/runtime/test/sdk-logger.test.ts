import { dynamodbClient, parseRuntimeEnv, SDK_LOGGER, sqsClient, ssmClient } from '../src';

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
});
