import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { BooksError } from '@books/core';

/** Where the embedded servers answer. */
export interface StackEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
}

// The embedded servers accept any credentials; fixed ones keep the user's AWS profile out of it.
export const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function localDynamoDb(endpoint: string, maxAttempts = 3): DynamoDBClient {
  requireEndpoint(endpoint);
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts });
}

export function localSqs(endpoint: string, maxAttempts = 3): SQSClient {
  requireEndpoint(endpoint);
  return new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts });
}

// An empty endpoint would silently fall back to real AWS.
function requireEndpoint(endpoint: string): void {
  if (!/^https?:\/\//.test(endpoint))
    throw new BooksError('STACK_ENDPOINT', `not a local endpoint: ${JSON.stringify(endpoint)}`);
}
