import { reconciliationRequesterFromEnv } from '@books/reconciliation';
import { lambdaEntry } from '@books/runtime';
import { executionFunction } from './function';

const reconciliation = reconciliationRequesterFromEnv(process.env);

/**
 * Executions are the bulk of the broker traffic: each of the at most N concurrent instances gets
 * 3/4 of the account's budget divided by N (the rest is left to the coordinator and workers), so
 * all executions together stay under the broker's rate limit.
 */
export const handler = lambdaEntry(
  'execution',
  (services) => executionFunction(services, reconciliation ? { reconciliation } : {}),
  {
    requestsPerMinute: (env) =>
      Math.max(
        1,
        Math.floor((env.BOOKS_BROKER_REQUESTS_PER_MINUTE * 3) / 4 / env.BOOKS_EXECUTION_MAX_CONCURRENCY),
      ),
  },
);
