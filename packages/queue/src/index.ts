export * from './messages';
export * from './port';
export * from './sqs-execution-queue';
