import { lambdaContexts } from '../../src/daily-run/lambda-context';

describe('the in-process runner’s Lambda contexts', () => {
  it('gives each invocation its function’s serverless.yml timeout, counted from the invocation', () => {
    let now = 1_000;
    const contexts = lambdaContexts('local', { now: () => now });
    const execution = contexts('execution');
    expect(execution.functionName).toBe('strategy-books-local-execution');
    expect(execution.getRemainingTimeInMillis()).toBe(120_000);
    now += 119_500;
    expect(execution.getRemainingTimeInMillis()).toBe(500);
    now += 1_000;
    expect(execution.getRemainingTimeInMillis()).toBe(0);
    // A later invocation starts afresh, with its own function's timeout.
    expect(contexts('strategyWorker').getRemainingTimeInMillis()).toBe(300_000);
    expect(contexts('coordinator').awsRequestId).not.toBe(contexts('coordinator').awsRequestId);
  });

  it('refuses a function serverless.yml does not declare', () => {
    expect(() => lambdaContexts('local')('nope')).toThrow(/no function "nope"/);
  });
});
