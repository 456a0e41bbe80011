import { lambdaEntry } from '@books/runtime';
import { coordinatorFunction } from './function';

export const handler = lambdaEntry('coordinator', coordinatorFunction);
