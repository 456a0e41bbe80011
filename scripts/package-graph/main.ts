/** `pnpm graph [--diagram]`: checks the package graph against docs/architecture.md; prints each violation, exits 1 on any. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collectWorkspace } from './collect';
import { MAY_IMPORT, PACKAGE_ROLES, USED_WITHOUT_IMPORT } from './roles';
import { checkDiagram, checkWorkspace, workspaceEdges } from './rules';

const root = path.resolve(__dirname, '..', '..');
const workspace = collectWorkspace(root);
if (process.argv.includes('--diagram')) {
  // The mermaid block docs/architecture.md holds, from the declared dependencies.
  const lines = workspaceEdges(workspace).map(([from, to]) => `  ${from} --> ${to}`);
  process.stdout.write(['```mermaid', 'flowchart TD', ...lines, '```', ''].join('\n'));
  process.exit(0);
}
const violations = [
  ...checkWorkspace(workspace, {
    roles: PACKAGE_ROLES,
    mayImport: MAY_IMPORT,
    usedWithoutImport: USED_WITHOUT_IMPORT,
  }),
  ...checkDiagram(workspace, readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8')),
];
for (const v of violations) process.stdout.write(`${v.rule}: ${v.where}: ${v.message}\n`);
process.stdout.write(
  `package graph: ${workspace.packages.length} packages, ${violations.length} violation${violations.length === 1 ? '' : 's'}\n`,
);
process.exit(violations.length === 0 ? 0 : 1);
