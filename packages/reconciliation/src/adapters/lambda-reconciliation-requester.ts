import type { LambdaClient } from '@aws-sdk/client-lambda';
import { BooksError } from '@books/core';
import { SDK_LOGGER } from '@books/runtime';
import * as z from 'zod';
import type { ReconciliationRequester } from '../run-completion';

/** The variable naming the stage's reconciler function (serverless.yml sets it). */
export const RECONCILER_FUNCTION_VARIABLE = 'BOOKS_RECONCILER_FUNCTION';

const EnvSchema = z.object({ [RECONCILER_FUNCTION_VARIABLE]: z.string().min(1).optional() });

/**
 * The Lambda SDK, imported at the first request, not at load: a function's first invocation
 * rarely completes a run, and esbuild runs a module reached only through `import()` (compiled to
 * `require`) on its first import, so a cold start does not run the SDK's top level (its schemas
 * and error classes). Ours, importing only the client and the command, so the bundle holds no more.
 */
const lambdaSdk = () => import('./lazy-sdk/lambda');

/**
 * Asks the reconciler Lambda for a reconciliation without waiting for it (InvocationType Event:
 * Lambda queues the event and retries the function itself); the payload is the reconciler's event.
 */
export class LambdaReconciliationRequester implements ReconciliationRequester {
  constructor(
    private readonly functionName: string,
    /** Absent, Lambda's client is made at the first request (a Finish), not at the cold start. */
    private client?: Pick<LambdaClient, 'send'>,
  ) {}

  async request(run: { runId: string; date: string }): Promise<void> {
    const payload = { date: run.date, runId: run.runId, trigger: 'run-complete' };
    const { InvokeCommand, LambdaClient } = await lambdaSdk();
    this.client ??= new LambdaClient({ logger: SDK_LOGGER });
    const response = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    // An accepted asynchronous invocation answers 202.
    if (response.StatusCode !== 202)
      throw new BooksError('RECONCILIATION_REQUEST_FAILED', `the reconciler did not accept the request`, {
        functionName: this.functionName,
        statusCode: response.StatusCode,
      });
  }
}

/**
 * The requester a deployed function uses, from its environment at cold start: undefined when the
 * variable is not set (no reconciliation after runs).
 */
export function reconciliationRequesterFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): LambdaReconciliationRequester | undefined {
  const name = EnvSchema.parse(env)[RECONCILER_FUNCTION_VARIABLE];
  return name ? new LambdaReconciliationRequester(name) : undefined;
}
