export * from './adapters/broker-market';
export * from './adapters/file-config-source';
export * from './adapters/ledger-flow-guard';
export * from './adapters/ledger-run-store';
export * from './function';
export * from './plan-run';
export * from './ports';
export * from './run-window';
