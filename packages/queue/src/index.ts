export * from './execution-requests';
export * from './messages';
export * from './port';
export * from './sqs-execution-queue';
