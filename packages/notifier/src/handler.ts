import { notifierConfigFromEnv } from '@books/notifications';
import {
  dynamodbClient,
  lambdaEntry,
  s3Bars,
  s3Client,
  sesv2Client,
  snsClient,
  ssmClient,
} from '@books/runtime';
import { notifierHandlerFunction } from './function';

const config = notifierConfigFromEnv(process.env);

/**
 * The ledger (the digest's and alerts' reads, ALERT_STATE), the bars' closes (S3), the broker's
 * keys, the flow flags and the webhook's URL (SSM), the stage's topic (SNS), the e-mail (SES v2,
 * used only when the stage names a sender and recipients).
 */
export const handler = lambdaEntry(
  'notifier',
  {
    clients: { dynamodb: dynamodbClient, s3: s3Client, ssm: ssmClient, sns: snsClient, sesv2: sesv2Client },
    s3Bars,
  },
  (services) => notifierHandlerFunction(services, config),
);
