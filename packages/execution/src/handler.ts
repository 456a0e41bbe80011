import { reconciliationRequesterFromEnv } from '@books/reconciliation';
import {
  dynamodbClient,
  eventBridgeEvents,
  eventbridgeClient,
  lambdaEntry,
  sqsClient,
  sqsQueue,
  ssmClient,
} from '@books/runtime';
import { executionFunction } from './function';

const reconciliation = reconciliationRequesterFromEnv(process.env);

/**
 * The ledger, the queue it releases held BUYs to, the broker's keys (SSM), the stage's events
 * (EventBridge); the reconciler's invoke
 * (Lambda) above. The broker budget is the account's one, shared with every function (runtime's
 * accountRequestBudget).
 */
export const handler = lambdaEntry(
  'execution',
  {
    clients: { dynamodb: dynamodbClient, eventbridge: eventbridgeClient, sqs: sqsClient, ssm: ssmClient },
    queue: sqsQueue,
    events: eventBridgeEvents,
  },
  (services) => executionFunction(services, reconciliation ? { reconciliation } : {}),
);
