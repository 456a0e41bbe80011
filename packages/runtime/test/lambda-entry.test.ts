import type { LambdaContext } from '@books/core';
import { dynamodbClient } from '../src/clients';
import { lambdaEntry } from '../src/lambda-entry';

const env = {
  BOOKS_STAGE: 'test',
  BOOKS_TABLE_NAME: 'strategy-books-test-ledger',
  BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
  BOOKS_BROKER_MODE: 'alpaca-paper',
  BOOKS_LOG_LEVEL: 'silent',
};

describe('a Lambda entry', () => {
  it('hands each event the context the runtime invoked it with, remaining time included', async () => {
    const seen: { event: unknown; remaining: number; requestId: string }[] = [];
    const handler = lambdaEntry(
      'test',
      { clients: { dynamodb: dynamodbClient } },
      () => async (event, context: LambdaContext) => {
        seen.push({ event, remaining: context.getRemainingTimeInMillis(), requestId: context.awsRequestId });
        return 'done';
      },
      env,
    );
    let remaining = 42_000;
    const runtimeContext = {
      functionName: 'strategy-books-test-execution',
      awsRequestId: 'req-1',
      memoryLimitInMB: '512',
      getRemainingTimeInMillis: () => remaining,
    };
    await expect(handler({ n: 1 }, runtimeContext)).resolves.toBe('done');
    remaining = 7_000;
    await handler({ n: 2 }, runtimeContext);
    expect(seen).toEqual([
      { event: { n: 1 }, remaining: 42_000, requestId: 'req-1' },
      { event: { n: 2 }, remaining: 7_000, requestId: 'req-1' },
    ]);
  });

  it('refuses an invocation without a context instead of inventing one', async () => {
    const handler = lambdaEntry(
      'test',
      { clients: { dynamodb: dynamodbClient } },
      () => async () => 'done',
      env,
    );
    await expect(handler({}, undefined)).rejects.toThrow(/Lambda context/);
    await expect(handler({}, { awsRequestId: 'x' })).rejects.toThrow(/getRemainingTimeInMillis/);
  });
});
