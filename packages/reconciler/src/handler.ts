import { dynamodbClient, lambdaEntry, ssmClient } from '@books/runtime';
import { reconcilerFunction } from './function';

/** The ledger and the broker's keys (SSM). */
export const handler = lambdaEntry(
  'reconciler',
  { clients: { dynamodb: dynamodbClient, ssm: ssmClient } },
  reconcilerFunction,
);
