import { S3Client } from '@aws-sdk/client-s3';
import { createLogger, lambdaContextOf, systemClock } from '@books/core';
import { dataRefreshFunction, envKeys, parseDataRefreshEnv } from './data-refresh-function';

// Cold start: the environment is validated (naming every problem) before anything runs.
const env = parseDataRefreshEnv(process.env);
const logger = createLogger({ service: 'data-refresh' }, { level: env.BOOKS_LOG_LEVEL });
const s3 = new S3Client(
  env.BOOKS_S3_ENDPOINT === undefined
    ? { region: env.BOOKS_REGION }
    : {
        region: env.BOOKS_REGION,
        endpoint: env.BOOKS_S3_ENDPOINT,
        forcePathStyle: true,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
);

const refresh = dataRefreshFunction({ env, s3, keys: envKeys(env), clock: systemClock, logger });

/** Scheduled after the close: brings the S3 bar store up to today from Alpaca. */
export const handler = (event: unknown, context: unknown) => refresh(event, lambdaContextOf(context));
