import {
  dynamodbClient,
  lambdaEntry,
  s3Bars,
  s3Client,
  sqsClient,
  sqsQueue,
  ssmClient,
} from '@books/runtime';
import { strategyWorkerFunction } from './function';

/** The ledger, the bars (S3), the execution queue, the broker's keys (SSM). */
export const handler = lambdaEntry(
  'strategy-worker',
  {
    clients: { dynamodb: dynamodbClient, s3: s3Client, sqs: sqsClient, ssm: ssmClient },
    queue: sqsQueue,
    s3Bars,
  },
  (services) => strategyWorkerFunction(services),
);
