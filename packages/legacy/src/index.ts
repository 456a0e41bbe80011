export * from './adapters/ledger-legacy';
export * from './aggregate';
export * from './carve';
export * from './function';
export * from './migrate';
export * from './plan-legacy';
export * from './ports';
export * from './shadow';
