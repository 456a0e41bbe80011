import { lambdaEntry } from '@books/runtime';
import { executionFunction } from './function';

export const handler = lambdaEntry('execution', (services) => executionFunction(services));
