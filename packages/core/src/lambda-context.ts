/**
 * What a function reads of its invocation: the Lambda runtime's context when deployed, the
 * runner's locally (serverless-offline and `sls invoke local` give one with the function's
 * timeout; the in-process runner of `packages/local` gives one the same way). A function never
 * makes one up: its waits are bounded by `getRemainingTimeInMillis`, which only the runner knows.
 */
export interface LambdaContext {
  readonly functionName: string;
  readonly awsRequestId: string;
  /** Milliseconds left before the runtime stops the invocation (a real-time budget). */
  getRemainingTimeInMillis(): number;
}

/** Checks the shape of what the runtime handed over (no cast: a missing context fails here, named). */
export function lambdaContextOf(value: unknown): LambdaContext {
  if (typeof value !== 'object' || value === null)
    throw new TypeError('a function must be invoked with its Lambda context (none was given)');
  const remaining: unknown = Reflect.get(value, 'getRemainingTimeInMillis');
  if (typeof remaining !== 'function')
    throw new TypeError('the Lambda context has no getRemainingTimeInMillis()');
  const field = (name: string) => {
    const v: unknown = Reflect.get(value, name);
    return typeof v === 'string' ? v : 'unknown';
  };
  return {
    functionName: field('functionName'),
    awsRequestId: field('awsRequestId'),
    getRemainingTimeInMillis: () => Number(remaining.call(value)),
  };
}
