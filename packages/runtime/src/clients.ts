import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { RuntimeEnv } from './env';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
}

/** Credentials for the embedded servers, which accept any. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** AWS SDK clients; an endpoint variable points a client at the embedded stack instead of AWS. */
export function createAwsClients(env: RuntimeEnv): AwsClients {
  const config = (endpoint: string | undefined) =>
    endpoint
      ? { region: env.BOOKS_REGION, endpoint, credentials: LOCAL_CREDENTIALS }
      : { region: env.BOOKS_REGION };
  return {
    dynamodb: new DynamoDBClient(config(env.BOOKS_DYNAMODB_ENDPOINT)),
    sqs: new SQSClient(config(env.BOOKS_SQS_ENDPOINT)),
    s3: new S3Client({
      ...config(env.BOOKS_S3_ENDPOINT),
      forcePathStyle: env.BOOKS_S3_ENDPOINT !== undefined,
    }),
    ssm: new SSMClient(config(env.BOOKS_SSM_ENDPOINT)),
  };
}
