import { reconciliationRequesterFromEnv } from '@books/reconciliation';
import { lambdaEntry } from '@books/runtime';
import { coordinatorFunction } from './function';

const reconciliation = reconciliationRequesterFromEnv(process.env);

export const handler = lambdaEntry('coordinator', (services) =>
  coordinatorFunction(services, reconciliation ? { reconciliation } : {}),
);
