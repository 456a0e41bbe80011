#!/usr/bin/env node
/**
 * Builds the `books` executable: bundles packages/cli/src/built-main.ts (the author's
 * commands; the others run from the sources) with esbuild into .books/cli/books.cjs, and writes
 * esbuild's metafile (every bundled input) beside it as books.meta.json. scripts/books runs this
 * when the bundle is missing or older than a source file; scripts/setup.sh runs it once.
 * Plain JavaScript so that it runs without a TypeScript loader.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
// The workspace's sources marked side-effect free: the bundle holds only the modules a command uses.
import workspacePlugins from './esbuild-plugins.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `--out-dir DIR` builds elsewhere (the tests do); default .books/cli, where scripts/books runs it.
const outDirArg = process.argv.indexOf('--out-dir');
const outDir =
  outDirArg >= 0 ? path.resolve(process.argv[outDirArg + 1] ?? '') : path.join(root, '.books', 'cli');
const outfile = path.join(outDir, 'books.cjs');
mkdirSync(outDir, { recursive: true });
// Built to a temporary file then renamed: a concurrent `books` never runs half a bundle.
const temporary = `${outfile}.${process.pid}.tmp`;
const result = await build({
  plugins: workspacePlugins,
  absWorkingDir: root,
  entryPoints: [path.join(root, 'packages/cli/src/built-main.ts')],
  outfile: temporary,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  metafile: true,
  legalComments: 'none',
  define: { 'process.env.BOOKS_BUILT_FROM': JSON.stringify(root) },
  logLevel: 'warning',
});
writeFileSync(path.join(outDir, 'books.meta.json'), JSON.stringify(result.metafile));
renameSync(temporary, outfile);
