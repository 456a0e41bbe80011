export * from './execute';
export * from './fill-pending';
export * from './function';
export * from './intent-state';
export * from './ports';
export * from './process-batch';
export * from './release-buys';
