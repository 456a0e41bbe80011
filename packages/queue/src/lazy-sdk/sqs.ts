/** The SQS commands the execution queue sends: imported at its first send (see ../sqs-execution-queue.ts). */
export { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
