export * from './bars';
export * from './broker';
export * from './clients';
export * from './env';
export * from './simulated-market';
export * from './stored-book';
export * from './stored-plan';
