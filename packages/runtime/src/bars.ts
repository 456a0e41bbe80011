import { type BarStore, CsvBarStore, S3BarStore } from '@books/market-data';
import type { AwsClients } from './clients';
import type { RuntimeEnv } from './env';

/** The stage's bar store: a CSV directory (the embedded default) or, deployed, `s3://bucket/prefix`. */
export function createBarStore(env: RuntimeEnv, clients: AwsClients): BarStore | undefined {
  const location = env.BOOKS_BARS;
  if (location === undefined) return undefined;
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (s3) return new S3BarStore({ client: clients.s3, bucket: s3[1] ?? '', prefix: s3[2] ?? '' });
  return new CsvBarStore(location);
}
