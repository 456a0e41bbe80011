export * from './contracts';
export * from './in-process-bus';
export * from './outbox';
export * from './publisher';
