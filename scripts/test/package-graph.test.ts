import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collectWorkspace, specifiersOf } from '../package-graph/collect';
import type { ImportSite, PackageRole, Workspace, WorkspacePackage } from '../package-graph/model';
import { MAY_IMPORT, PACKAGE_ROLES, USED_WITHOUT_IMPORT } from '../package-graph/roles';
import { checkDiagram, checkWorkspace, type GraphPolicy } from '../package-graph/rules';

const roles: Record<string, PackageRole> = {
  core: 'domain',
  ledger: 'adapter',
  alpha: 'lambda',
  beta: 'lambda',
  cli: 'tool',
};
const policy: GraphPolicy = { roles, mayImport: MAY_IMPORT, usedWithoutImport: {} };

function pkg(
  folder: string,
  deps: string[],
  imports: Array<[string, string]>,
  dev: string[] = [],
): WorkspacePackage {
  return {
    folder,
    name: `@books/${folder}`,
    dependencies: deps,
    devDependencies: dev,
    imports: imports.map(
      ([file, specifier]): ImportSite => ({
        file,
        specifier,
        kind: file.startsWith('test/') ? 'test' : 'src',
      }),
    ),
  };
}

function rulesOf(ws: Workspace): string[] {
  return checkWorkspace(ws, policy).map((v) => `${v.rule} ${v.where}`);
}

describe('the package graph check', () => {
  const core = pkg('core', ['zod'], [['src/index.ts', 'zod']]);

  it('accepts a lambda importing domain and adapter packages it declares', () => {
    const ledger = pkg('ledger', ['@books/core'], [['src/index.ts', '@books/core']]);
    const alpha = pkg(
      'alpha',
      ['@books/core', '@books/ledger'],
      [
        ['src/function.ts', '@books/core'],
        ['src/function.ts', '@books/ledger'],
      ],
    );
    expect(rulesOf({ packages: [core, ledger, alpha], rootDependencies: [] })).toEqual([]);
  });

  it('refuses a lambda importing another lambda', () => {
    const beta = pkg('beta', ['@books/core'], [['src/index.ts', '@books/core']]);
    const alpha = pkg('alpha', ['@books/beta'], [['src/function.ts', '@books/beta']]);
    expect(rulesOf({ packages: [core, beta, alpha], rootDependencies: [] })).toContain(
      "lambda-imports-lambda packages/alpha/src/function.ts → '@books/beta'",
    );
  });

  it('refuses the AWS SDK in a lambda outside src/adapters and anywhere in a domain package', () => {
    const alpha = pkg(
      'alpha',
      ['@aws-sdk/client-sqs'],
      [
        ['src/adapters/queue.ts', '@aws-sdk/client-sqs'],
        ['src/function.ts', '@aws-sdk/client-sqs'],
      ],
    );
    const domain = pkg('core', ['@aws-sdk/client-s3'], [['src/store.ts', '@aws-sdk/client-s3']]);
    expect(rulesOf({ packages: [domain, alpha], rootDependencies: [] })).toEqual([
      "aws-sdk-outside-adapters packages/core/src/store.ts → '@aws-sdk/client-s3'",
      "aws-sdk-outside-adapters packages/alpha/src/function.ts → '@aws-sdk/client-sqs'",
    ]);
  });

  it('refuses deep imports and relative imports that leave the package', () => {
    const cli = pkg(
      'cli',
      ['@books/core'],
      [
        ['src/a.ts', '@books/core/src/values'],
        ['test/b.test.ts', '../../core/src/values'],
        ['test/c.test.ts', '../src/ok'],
      ],
    );
    expect(rulesOf({ packages: [core, cli], rootDependencies: [] })).toEqual([
      "deep-import packages/cli/src/a.ts → '@books/core/src/values'",
      "relative-import-leaves-package packages/cli/test/b.test.ts → '../../core/src/values'",
    ]);
  });

  it('reports undeclared imports, unused dependencies and test-only dependencies', () => {
    const ledger = pkg(
      'ledger',
      ['@books/core', 'zod', 'pino'],
      [
        ['src/index.ts', '@books/core'],
        ['src/index.ts', 'decimal.js'],
        ['test/x.test.ts', 'pino'],
        ['test/x.test.ts', 'fast-check'],
      ],
    );
    expect(rulesOf({ packages: [core, ledger], rootDependencies: ['fast-check'] })).toEqual([
      "undeclared-dependency packages/ledger/src/index.ts → 'decimal.js'",
      'unused-dependency packages/ledger/package.json',
      'unused-dependency packages/ledger/package.json',
    ]);
  });

  it('refuses a domain package importing an adapter, and a cycle', () => {
    const ledger = pkg('ledger', ['@books/core'], [['src/index.ts', '@books/core']]);
    const badCore = pkg('core', ['@books/ledger'], [['src/index.ts', '@books/ledger']]);
    const found = rulesOf({ packages: [badCore, ledger], rootDependencies: [] });
    expect(found).toContain("role-inversion packages/core/src/index.ts → '@books/ledger'");
    expect(found.some((r) => r.startsWith('cycle '))).toBe(true);
  });

  it('reports a package without a role', () => {
    const stray = pkg('stray', [], []);
    expect(rulesOf({ packages: [stray], rootDependencies: [] })).toEqual(['unknown-package packages/stray']);
  });

  it('compares the diagram with the declared workspace dependencies both ways', () => {
    const ledger = pkg('ledger', ['@books/core'], [['src/index.ts', '@books/core']]);
    const doc = '# x\n```mermaid\nflowchart TD\n  alpha --> core\n```\n';
    expect(
      checkDiagram({ packages: [core, ledger], rootDependencies: [] }, doc).map((v) => v.message),
    ).toEqual(['missing edge: ledger --> core', 'edge not declared: alpha --> core']);
  });

  it('reads import, export-from, dynamic import and require specifiers, not those in comments', () => {
    const text = [
      "import { a } from 'x';",
      'import {',
      '  b,',
      "} from '@books/y';",
      "export * from './z';",
      "import 'side-effect';",
      "const m = await import('dyn');",
      "const r = require.resolve('jar-pkg');",
      "// import { c } from 'commented';",
      "/* import d from 'block'; */",
    ].join('\n');
    expect(specifiersOf(text).sort()).toEqual(['./z', '@books/y', 'dyn', 'jar-pkg', 'side-effect', 'x']);
  });
});

describe("this workspace's package graph", () => {
  const root = path.resolve(__dirname, '..', '..');
  const workspace = collectWorkspace(root);

  it('follows every rule of docs/architecture.md', () => {
    const violations = checkWorkspace(workspace, {
      roles: PACKAGE_ROLES,
      mayImport: MAY_IMPORT,
      usedWithoutImport: USED_WITHOUT_IMPORT,
    });
    expect(violations.map((v) => `${v.rule}: ${v.where}: ${v.message}`)).toEqual([]);
  });

  it('is drawn in docs/architecture.md exactly as declared', () => {
    const doc = readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
    expect(checkDiagram(workspace, doc).map((v) => v.message)).toEqual([]);
  });
});
