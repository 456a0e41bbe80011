import { dynamodbClient, lambdaEntry, sqsClient, sqsQueue, ssmClient } from '@books/runtime';
import { legacyFunction } from './function';

/** The ledger, the execution queue, the broker's keys (SSM). */
export const handler = lambdaEntry(
  'legacy',
  { clients: { dynamodb: dynamodbClient, sqs: sqsClient, ssm: ssmClient }, queue: sqsQueue },
  legacyFunction,
);
