export * from './function';
export * from './plan-run';
export * from './ports';
export * from './run-order';
export * from './run-window';
