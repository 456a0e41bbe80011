import { dynamodbClient, eventBridgeEvents, eventbridgeClient, lambdaEntry, ssmClient } from '@books/runtime';
import { reconcilerFunction } from './function';

/** The ledger and the broker's keys (SSM). */
export const handler = lambdaEntry(
  'reconciler',
  {
    clients: { dynamodb: dynamodbClient, eventbridge: eventbridgeClient, ssm: ssmClient },
    events: eventBridgeEvents,
  },
  reconcilerFunction,
);
