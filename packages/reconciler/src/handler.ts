import { lambdaEntry } from '@books/runtime';
import { reconcilerFunction } from './function';

export const handler = lambdaEntry('reconciler', reconcilerFunction);
