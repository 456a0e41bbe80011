/** What the package-graph check reads of the workspace: each package, its declared dependencies, its imports. */

export type SourceKind = 'src' | 'test';

/** One import specifier as written in one file (`@books/core`, `zod`, `../../x`, `node:fs`). */
export interface ImportSite {
  readonly file: string;
  readonly kind: SourceKind;
  readonly specifier: string;
}

export interface WorkspacePackage {
  /** The folder under packages/ (`ledger-client`). */
  readonly folder: string;
  /** The package name (`@books/ledger-client`). */
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
  readonly imports: readonly ImportSite[];
}

export interface Workspace {
  readonly packages: readonly WorkspacePackage[];
  /** Dependencies of the root package.json, which every package's tests may use (jest, fast-check…). */
  readonly rootDependencies: readonly string[];
}

/**
 * The roles the architecture gives packages (docs/architecture.md):
 * - `domain`: pure logic, imports only other domain packages, never the AWS SDK;
 * - `lambda`: one deployed function; imports no other lambda package; the AWS SDK only under `src/adapters/`;
 * - `adapter`: talks to the outside world (the table, the queue, the broker, market data, the runtime wiring);
 * - `tool`: the CLI, the embedded stack, replay and report, test helpers; may import anything but a tool
 *   is never imported by a lambda, adapter or domain package.
 */
export type PackageRole = 'domain' | 'lambda' | 'adapter' | 'tool';

export interface Violation {
  readonly rule:
    | 'lambda-imports-lambda'
    | 'aws-sdk-outside-adapters'
    | 'deep-import'
    | 'relative-import-leaves-package'
    | 'undeclared-dependency'
    | 'unused-dependency'
    | 'role-inversion'
    | 'unknown-package'
    | 'cycle'
    | 'diagram-mismatch';
  readonly where: string;
  readonly message: string;
}
