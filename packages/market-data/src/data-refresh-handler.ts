import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createLogger, lambdaContextOf, systemClock } from '@books/core';
import { dataRefreshFunction, dataRefreshKeys, parseDataRefreshEnv } from './data-refresh-function';

// Cold start: the environment is validated (naming every problem) before anything runs.
const env = parseDataRefreshEnv(process.env);
const logger = createLogger({ service: 'data-refresh' }, { level: env.BOOKS_LOG_LEVEL });
/** Credentials for the embedded servers, which accept any. */
const local = (endpoint: string) => ({
  region: env.BOOKS_REGION,
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const s3 = new S3Client(
  env.BOOKS_S3_ENDPOINT === undefined
    ? { region: env.BOOKS_REGION }
    : { ...local(env.BOOKS_S3_ENDPOINT), forcePathStyle: true },
);
const ssm = new SSMClient(
  env.BOOKS_SSM_ENDPOINT === undefined ? { region: env.BOOKS_REGION } : local(env.BOOKS_SSM_ENDPOINT),
);

const refresh = dataRefreshFunction({
  env,
  s3,
  s3Commands: { GetObjectCommand, PutObjectCommand, ListObjectsV2Command },
  keys: dataRefreshKeys(env, ssm, GetParameterCommand),
  clock: systemClock,
  logger,
});

/** Scheduled after the close: brings the S3 bar store up to today from Alpaca. */
export const handler = (event: unknown, context: unknown) => refresh(event, lambdaContextOf(context));
