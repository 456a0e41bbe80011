import { reconciliationRequesterFromEnv } from '@books/reconciliation';
import { lambdaEntry } from '@books/runtime';
import { executionFunction } from './function';

const reconciliation = reconciliationRequesterFromEnv(process.env);

/** The broker budget is the account's one, shared with every function (runtime's accountRequestBudget). */
export const handler = lambdaEntry('execution', (services) =>
  executionFunction(services, reconciliation ? { reconciliation } : {}),
);
