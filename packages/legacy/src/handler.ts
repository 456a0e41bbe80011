import { lambdaEntry } from '@books/runtime';
import { legacyFunction } from './function';

export const handler = lambdaEntry('legacy', legacyFunction);
