import { type BarStore, CsvBarStore } from '@books/market-data';
import type { RuntimeEnv } from './env';

/** The stage's bar store: a CSV directory (the embedded default) or, deployed, an S3 prefix. */
export function createBarStore(env: RuntimeEnv): BarStore | undefined {
  const location = env.BOOKS_BARS;
  if (location === undefined) return undefined;
  if (location.startsWith('s3://')) {
    throw new Error(`BOOKS_BARS=${location}: the S3 bar store is not wired yet`);
  }
  return new CsvBarStore(location);
}
