import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import type { ImportSite, SourceKind, Workspace, WorkspacePackage } from './model';

const PackageJson = z.object({
  name: z.string(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
});

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SPECIFIERS = [
  /(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
  // A side-effect import is a statement of its own line (`books import 'x'` in a string is not one).
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bjest\.(?:mock|requireActual)\(\s*['"]([^'"]+)['"]/g,
];

/** Comments out: an import written in a comment or doc is not an import. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every module specifier imported, exported-from or required by a source text. */
export function specifiersOf(text: string): string[] {
  const code = withoutComments(text);
  const found: string[] = [];
  for (const re of SPECIFIERS) {
    for (const m of code.matchAll(re)) if (m[1] !== undefined) found.push(m[1]);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

function readPackage(root: string, folder: string): WorkspacePackage {
  const dir = path.join(root, 'packages', folder);
  const json = PackageJson.parse(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')));
  const imports: ImportSite[] = [];
  for (const kind of ['src', 'test'] as const satisfies readonly SourceKind[]) {
    for (const file of sourceFiles(path.join(dir, kind))) {
      const relative = path.relative(dir, file).split(path.sep).join('/');
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        imports.push({ file: relative, kind, specifier });
      }
    }
  }
  return {
    folder,
    name: json.name,
    dependencies: Object.keys({ ...json.dependencies, ...json.optionalDependencies }),
    devDependencies: Object.keys(json.devDependencies ?? {}),
    imports,
  };
}

/** The workspace under `root` as the check sees it. */
export function collectWorkspace(root: string): Workspace {
  const folders = readdirSync(path.join(root, 'packages'))
    .filter((f) => existsSync(path.join(root, 'packages', f, 'package.json')))
    .sort();
  const rootJson = PackageJson.parse(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')));
  return {
    packages: folders.map((f) => readPackage(root, f)),
    rootDependencies: Object.keys({
      ...rootJson.dependencies,
      ...rootJson.devDependencies,
      ...rootJson.optionalDependencies,
    }),
  };
}
