import { reconciliationRequesterFromEnv } from '@books/reconciliation';
import { dynamodbClient, eventBridgeEvents, eventbridgeClient, lambdaEntry, ssmClient } from '@books/runtime';
import { coordinatorFunction } from './function';

const reconciliation = reconciliationRequesterFromEnv(process.env);

/** The ledger, the broker's keys and the flow flags (SSM); the reconciler's invoke (Lambda) above. */
export const handler = lambdaEntry(
  'coordinator',
  {
    clients: { dynamodb: dynamodbClient, eventbridge: eventbridgeClient, ssm: ssmClient },
    events: eventBridgeEvents,
  },
  (services) => coordinatorFunction(services, reconciliation ? { reconciliation } : {}),
);
