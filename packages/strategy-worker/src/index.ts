export * from './adapters/ledger-strategy-runs';
export * from './function';
export * from './ports';
export * from './run-strategy';
