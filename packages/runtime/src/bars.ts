import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BarStore, CsvBarStore, S3BarStore } from '@books/market-data';
import { AwsClientNotWired, type AwsClients } from './clients';
import type { RuntimeEnv } from './env';

/** The bar store of an `s3://bucket/prefix` location, over the function's S3 client. */
export type S3BarsMaker = (client: S3Client, bucket: string, prefix: string) => BarStore;

/** The S3 bar store, with the commands it sends imported by name (its bundle holds only these). */
export const s3Bars: S3BarsMaker = (client, bucket, prefix) =>
  new S3BarStore({
    client,
    commands: { GetObjectCommand, PutObjectCommand, ListObjectsV2Command },
    bucket,
    prefix,
  });

/** The stage's bar store: a CSV directory (the embedded default) or, deployed, `s3://bucket/prefix`. */
export function createBarStore(env: RuntimeEnv, clients: AwsClients): BarStore | undefined {
  return barStoreOf(env, clients, s3Bars, 'books');
}

/**
 * The stage's bar store, S3 only through `s3` (the wiring of a function that reads bars deployed:
 * another's bundle holds no S3 code, and reaching S3 is refused, naming `owner`).
 */
export function barStoreOf(
  env: RuntimeEnv,
  clients: AwsClients,
  s3: S3BarsMaker | undefined,
  owner: string,
): BarStore | undefined {
  const location = env.BOOKS_BARS;
  if (location === undefined) return undefined;
  const bucket = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!bucket) return new CsvBarStore(location);
  if (!s3) throw new AwsClientNotWired('s3', owner);
  return s3(clients.s3, bucket[1] ?? '', bucket[2] ?? '');
}
