export * from './adjust';
export * from './function';
export * from './restore';
