import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { testVariable } from './environment';

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A DynamoDB client for the test stack's DynamoDB Local. */
export function testDynamo(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: testVariable('BOOKS_TEST_DYNAMODB_ENDPOINT'),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
}

/** An SQS client for the test stack's fauxqs. */
export function testSqs(): SQSClient {
  return new SQSClient({
    endpoint: testVariable('BOOKS_TEST_SQS_ENDPOINT'),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
}

/** An S3 client for the test stack's fauxqs (path-style: bucket names need no DNS). */
export function testS3(): S3Client {
  return new S3Client({
    endpoint: testVariable('BOOKS_TEST_S3_ENDPOINT'),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
}
