import { lambdaEntry } from '@books/runtime';
import { strategyWorkerFunction } from './function';

export const handler = lambdaEntry('strategy-worker', (services) => strategyWorkerFunction(services));
