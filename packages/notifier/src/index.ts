export * from './function';
