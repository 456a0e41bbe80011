import { notifierConfigFromEnv } from '@books/notifications';
import { dynamodbClient, lambdaEntry, snsClient, ssmClient } from '@books/runtime';
import { notifierHandlerFunction } from './function';

const config = notifierConfigFromEnv(process.env);

/** The ledger (the digest's and alerts' reads, ALERT_STATE), the broker's keys and webhook (SSM), the topic (SNS). */
export const handler = lambdaEntry(
  'notifier',
  { clients: { dynamodb: dynamodbClient, ssm: ssmClient, sns: snsClient } },
  (services) => notifierHandlerFunction(services, config),
);
