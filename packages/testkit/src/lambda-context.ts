import type { LambdaContext } from '@books/core';

/** A Lambda context for a test's invocation: it ends `timeoutMs` of real time after it is made. */
export function testLambdaContext(timeoutMs = 60_000, functionName = 'test'): LambdaContext {
  const deadline = performance.now() + timeoutMs;
  return {
    functionName,
    awsRequestId: `${functionName}-test-invocation`,
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
  };
}
