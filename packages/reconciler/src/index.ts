export * from './breaks';
export * from './external-book';
export * from './function';
export * from './metric';
