export * from './alerts';
export * from './collect';
export * from './delivery';
export * from './digest';
export * from './digest-notifier';
export * from './render';
export * from './secrets';
export * from './sinks';
