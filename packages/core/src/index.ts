export * from './clock';
export * from './config';
export * from './decimal';
export * from './errors';
export * from './ids';
export * from './logger';
export * from './values';
