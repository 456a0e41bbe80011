import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BooksError } from '@books/core';
import * as z from 'zod';
import { LOCAL_REGION } from '../stack/clients';

/** The Lambda endpoint serverless-offline serves by default (`--lambdaPort`). */
export const DEFAULT_LAMBDA_PORT = 3002;

export function offlineLambdaEndpoint(port: number = DEFAULT_LAMBDA_PORT): string {
  return `http://127.0.0.1:${port}`;
}

/**
 * A Lambda client for serverless-offline's endpoint. Fixed credentials keep the user's AWS profile
 * out of it; one attempt, no timeout: a function may legitimately run for minutes, and a retried
 * invocation is the caller's decision (the state machine's Retry, the queue's redelivery).
 */
export function offlineLambda(endpoint: string): LambdaClient {
  if (!/^https?:\/\//.test(endpoint))
    throw new BooksError('OFFLINE_ENDPOINT', `not a local endpoint: ${JSON.stringify(endpoint)}`);
  return new LambdaClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** The name a function of serverless.yml is deployed (and served offline) under. */
export function deployedFunctionName(service: string, stage: string, functionKey: string): string {
  return `${service}-${stage}-${functionKey}`;
}

const FunctionErrorSchema = z.object({
  errorType: z.string().default('Error'),
  errorMessage: z.string().default('the function failed'),
});

/** A function's error, as a state machine's Retry/Catch sees it (its name is the error type). */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/**
 * Invokes `functionName` synchronously (RequestResponse) and returns its JSON result. A function
 * that threw comes back as a LambdaFunctionError named after its error type, as Step Functions
 * reports it; an unreachable endpoint or unknown function rejects with the SDK's error.
 */
export async function invokeFunction(
  lambda: LambdaClient,
  functionName: string,
  payload: unknown,
): Promise<unknown> {
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(payload ?? null)),
    }),
  );
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  const result: unknown = text === '' ? null : JSON.parse(text);
  if (response.FunctionError) {
    const error = FunctionErrorSchema.safeParse(result);
    throw error.success
      ? new LambdaFunctionError(error.data.errorType, error.data.errorMessage)
      : new LambdaFunctionError(response.FunctionError, text);
  }
  return result;
}
