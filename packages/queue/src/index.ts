export * from './execution-requests';
export * from './messages';
export * from './peek';
export * from './port';
export * from './sqs-execution-queue';
