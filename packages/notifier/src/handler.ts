import { notifierConfigFromEnv } from '@books/notifications';
import { dynamodbClient, lambdaEntry, s3Bars, s3Client, snsClient, ssmClient } from '@books/runtime';
import { notifierHandlerFunction } from './function';

const config = notifierConfigFromEnv(process.env);

/**
 * The ledger (the digest's and alerts' reads, ALERT_STATE), the bars' closes (S3), the broker's
 * keys, the flow flags and the webhook's URL (SSM), the stage's topic (SNS).
 */
export const handler = lambdaEntry(
  'notifier',
  { clients: { dynamodb: dynamodbClient, s3: s3Client, ssm: ssmClient, sns: snsClient }, s3Bars },
  (services) => notifierHandlerFunction(services, config),
);
