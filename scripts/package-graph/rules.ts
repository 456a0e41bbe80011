import { builtinModules } from 'node:module';
import type { ImportSite, PackageRole, Violation, Workspace, WorkspacePackage } from './model';

export interface GraphPolicy {
  readonly roles: Readonly<Record<string, PackageRole>>;
  readonly mayImport: Readonly<Record<PackageRole, readonly PackageRole[]>>;
  readonly usedWithoutImport: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const WORKSPACE_SCOPE = '@books/';
const builtins = new Set(builtinModules);

/** `@scope/name/deep/path` → `@scope/name`; `name/deep` → `name`; relative and node builtins → undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  if (builtins.has(name)) return undefined;
  return name;
}

function isAwsSdk(specifier: string): boolean {
  return specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/');
}

function workspaceFolder(name: string): string | undefined {
  return name.startsWith(WORKSPACE_SCOPE) ? name.slice(WORKSPACE_SCOPE.length) : undefined;
}

function site(pkg: WorkspacePackage, s: ImportSite): string {
  return `packages/${pkg.folder}/${s.file} → '${s.specifier}'`;
}

function checkImports(pkg: WorkspacePackage, policy: GraphPolicy, root: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const role = policy.roles[pkg.folder];
  const declared = new Set(pkg.dependencies);
  const declaredForTests = new Set([...pkg.dependencies, ...pkg.devDependencies, ...root]);
  for (const s of pkg.imports) {
    const where = site(pkg, s);
    if (s.specifier.startsWith('.')) {
      const depth = s.file.split('/').length - 1;
      const ups = s.specifier.split('/').filter((p) => p === '..').length;
      if (ups > depth) {
        out.push({
          rule: 'relative-import-leaves-package',
          where,
          message: 'a relative import reaches into another package: import it by its name',
        });
      }
      continue;
    }
    const name = packageOf(s.specifier);
    if (name === undefined) continue;
    const folder = workspaceFolder(name);
    if (folder !== undefined && s.specifier !== name) {
      out.push({
        rule: 'deep-import',
        where,
        message: `imports inside ${name}: use what its index exports (export it there if it is public)`,
      });
    }
    const allowed = s.kind === 'src' ? declared : declaredForTests;
    if (!allowed.has(name) && name !== pkg.name) {
      out.push({
        rule: 'undeclared-dependency',
        where,
        message: `${name} is not declared in packages/${pkg.folder}/package.json${s.kind === 'src' ? ' dependencies' : ''}`,
      });
    }
    if (s.kind !== 'src' || role === undefined) continue;
    if (isAwsSdk(s.specifier)) {
      const inAdapters = s.file.startsWith('src/adapters/');
      if (role === 'domain' || (role === 'lambda' && !inAdapters)) {
        out.push({
          rule: 'aws-sdk-outside-adapters',
          where,
          message:
            role === 'domain'
              ? 'a domain package never talks to AWS'
              : `a lambda package imports the AWS SDK only under src/adapters/`,
        });
      }
    }
    if (folder === undefined || folder === pkg.folder) continue;
    const targetRole = policy.roles[folder];
    if (targetRole === undefined) continue; // reported once as unknown-package
    if (role === 'lambda' && targetRole === 'lambda') {
      out.push({
        rule: 'lambda-imports-lambda',
        where,
        message: `${pkg.name} and ${name} are separate functions: move what both need to a domain or adapter package`,
      });
    } else if (!policy.mayImport[role].includes(targetRole)) {
      out.push({
        rule: 'role-inversion',
        where,
        message: `a ${role} package may not import a ${targetRole} package (${name})`,
      });
    }
  }
  return out;
}

function checkUnused(pkg: WorkspacePackage, policy: GraphPolicy, root: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const exempt = policy.usedWithoutImport[pkg.folder] ?? {};
  const usedInSrc = new Set<string>();
  const usedAnywhere = new Set<string>();
  for (const s of pkg.imports) {
    const name = packageOf(s.specifier);
    if (name === undefined) continue;
    usedAnywhere.add(name);
    if (s.kind === 'src') usedInSrc.add(name);
  }
  for (const dep of pkg.dependencies) {
    if (dep.startsWith('@types/') || exempt[dep] !== undefined) continue;
    if (!usedInSrc.has(dep)) {
      out.push({
        rule: 'unused-dependency',
        where: `packages/${pkg.folder}/package.json`,
        message: usedAnywhere.has(dep)
          ? `${dep} is used only by tests: make it a devDependency`
          : `${dep} is declared but never imported`,
      });
    }
  }
  for (const dep of pkg.devDependencies) {
    if (dep.startsWith('@types/') || exempt[dep] !== undefined || root.has(dep)) continue;
    if (!usedAnywhere.has(dep)) {
      out.push({
        rule: 'unused-dependency',
        where: `packages/${pkg.folder}/package.json`,
        message: `${dep} (devDependency) is declared but never imported`,
      });
    }
  }
  return out;
}

/** Workspace edges from declared dependencies: `from` folder → `to` folder. */
export function workspaceEdges(ws: Workspace): Array<readonly [string, string]> {
  const edges: Array<readonly [string, string]> = [];
  for (const pkg of ws.packages) {
    for (const dep of pkg.dependencies) {
      const folder = workspaceFolder(dep);
      if (folder !== undefined) edges.push([pkg.folder, folder]);
    }
  }
  return edges.sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

function checkCycles(ws: Workspace): Violation[] {
  const next = new Map<string, string[]>();
  for (const [from, to] of workspaceEdges(ws)) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const out: Violation[] = [];
  const visit = (node: string, path: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      const cycle = [...path.slice(path.indexOf(node)), node];
      out.push({
        rule: 'cycle',
        where: cycle.join(' → '),
        message: 'packages depend on each other in a cycle',
      });
      return;
    }
    state.set(node, 'open');
    for (const to of next.get(node) ?? []) visit(to, [...path, node]);
    state.set(node, 'done');
  };
  for (const pkg of ws.packages) visit(pkg.folder, []);
  return out;
}

/** Every rule of docs/architecture.md over the workspace; the empty list means the graph is as written. */
export function checkWorkspace(ws: Workspace, policy: GraphPolicy): Violation[] {
  const root = new Set(ws.rootDependencies);
  const out: Violation[] = [];
  for (const pkg of ws.packages) {
    if (policy.roles[pkg.folder] === undefined) {
      out.push({
        rule: 'unknown-package',
        where: `packages/${pkg.folder}`,
        message:
          'a package without a role: add it to scripts/package-graph/roles.ts and docs/architecture.md',
      });
    }
    out.push(...checkImports(pkg, policy, root), ...checkUnused(pkg, policy, root));
  }
  out.push(...checkCycles(ws));
  return out;
}

/** The edges of the mermaid diagram in docs/architecture.md (`a --> b` lines), sorted. */
export function diagramEdges(markdown: string): Array<readonly [string, string]> {
  const block = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  const edges: Array<readonly [string, string]> = [];
  for (const line of block.split('\n')) {
    const m = /^\s*([\w-]+)\s*-->\s*([\w-]+)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) edges.push([m[1], m[2]]);
  }
  return edges.sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

/** The diagram must show exactly the declared workspace dependencies. */
export function checkDiagram(ws: Workspace, markdown: string): Violation[] {
  const key = (e: readonly [string, string]): string => `${e[0]} --> ${e[1]}`;
  const declared = new Set(workspaceEdges(ws).map(key));
  const drawn = new Set(diagramEdges(markdown).map(key));
  const out: Violation[] = [];
  for (const e of declared) {
    if (!drawn.has(e)) {
      out.push({ rule: 'diagram-mismatch', where: 'docs/architecture.md', message: `missing edge: ${e}` });
    }
  }
  for (const e of drawn) {
    if (!declared.has(e)) {
      out.push({
        rule: 'diagram-mismatch',
        where: 'docs/architecture.md',
        message: `edge not declared: ${e}`,
      });
    }
  }
  return out;
}
