/** What a function's wiring uses of the SQS SDK: loaded on first use (see ../lazy-sdk.ts). */
export { SQSClient } from '@aws-sdk/client-sqs';
