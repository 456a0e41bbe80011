export * from './adapters/ledger-strategy-runs';
export * from './capital';
export * from './function';
export * from './ports';
export * from './run-strategy';
