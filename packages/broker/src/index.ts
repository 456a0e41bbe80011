export * from './alpaca/alpaca-broker';
export * from './alpaca/config';
export * from './alpaca/keys';
export { RequestBudget } from './alpaca/request-budget';
export * from './eastern-time';
export * from './errors';
export * from './lossless-json';
export * from './port';
export * from './sleep';
