/**
 * The esbuild plugins of every bundle built from the workspace: the functions' (serverless.yml,
 * custom.esbuild.plugins, which requires this file for the array it exports) and the `books`
 * executable's (scripts/build-cli.mjs). CommonJS, plain JavaScript: serverless-esbuild `require`s it.
 */
const fs = require('node:fs');
const path = require('node:path');

const PACKAGES = path.join(path.resolve(__dirname, '..'), 'packages') + path.sep;

/**
 * The workspace's sources are side-effect free modules: a module's top level only declares
 * (functions, classes, constants, zod schemas), its package's index re-exports, and a module does
 * its work when called. esbuild cannot tell that a schema's `z.object(...)` is pure, so without
 * this a bundle keeps every module a package index re-exports, and builds its schemas at load,
 * even when no code of the bundle reaches them (dataRefresh's Alpaca bars client in every
 * function; the S3 bar store and the AWS SDK in `books eval`). Marked side-effect free, as
 * package.json's `"sideEffects": false` marks a published package, a workspace module none of
 * whose exports a bundle uses is left out of it.
 */
const workspaceSourcesAreSideEffectFree = {
  name: 'workspace-sources-side-effect-free',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === workspaceSourcesAreSideEffectFree || args.kind === 'entry-point')
        return undefined;
      const resolved = await build.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        with: args.with,
        pluginData: workspaceSourcesAreSideEffectFree,
      });
      // Unresolved: esbuild resolves it again and reports it as it would without this plugin.
      if (resolved.errors.length > 0) return undefined;
      const { path: file, external, namespace, suffix, sideEffects } = resolved;
      const inWorkspace = file.startsWith(PACKAGES) && !file.includes(`${path.sep}node_modules${path.sep}`);
      return { path: file, external, namespace, suffix, sideEffects: inWorkspace ? false : sideEffects };
    });
  },
};

/**
 * A function loads the AWS SDK of a client its first invocation may not call on that client's first
 * use (runtime's lazy-sdk.ts): through a module of ours, in a `lazy-sdk` directory, that the
 * function reaches only by `require` or `import()`. esbuild wraps such a module and everything it
 * imports, so their top level runs on the first `require`, not at load; but in wrapped code it keeps
 * every module the SDK's index re-exports (each command of the service, its waiters, its aggregated
 * client: every Lambda command in execution and the coordinator). A lazy-sdk module names the client
 * and commands it needs from the SDK's index, as tsc and jest read it:
 *   export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
 * and this plugin bundles each name from the SDK's ES module defining it (`dist-es/<Name>.js` or
 * `dist-es/commands/<Name>.js`) when the build bundles the SDK's ES modules. A lazy-sdk module
 * holding anything else fails the build.
 */
const LAZY_SDK_MODULE = /[\\/]lazy-sdk[\\/][^\\/]+\.ts$/;
const SDK_EXPORT = /export\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'\s*;/g;

const lazySdkModulesImportDefiningFiles = {
  name: 'lazy-sdk-modules-import-defining-files',
  setup(build) {
    build.onLoad({ filter: LAZY_SDK_MODULE }, async (args) => {
      if (!args.path.startsWith(PACKAGES)) return undefined;
      const source = await fs.promises.readFile(args.path, 'utf8');
      const resolveDir = path.dirname(args.path);
      const errors = [];
      const statements = [];
      for (const [statement, names, sdk] of source.matchAll(SDK_EXPORT)) {
        const index = await build.resolve(sdk, { resolveDir, kind: 'import-statement' });
        if (index.errors.length > 0) {
          errors.push({ text: `${sdk} is not resolvable from ${args.path}` });
          continue;
        }
        // The SDK's ES modules when the build bundles them (mainFields: module, as the functions
        // do): their index is `dist-es/index.js`. Its CommonJS build (the `books` executable's) is
        // one module: the statement stays as written.
        if (!/[\\/]dist-es[\\/]index\.js$/.test(index.path)) {
          statements.push(statement);
          continue;
        }
        const esm = path.dirname(index.path);
        for (const name of names
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean)) {
          const file = [path.join(esm, `${name}.js`), path.join(esm, 'commands', `${name}.js`)].find((f) =>
            fs.existsSync(f),
          );
          if (file) statements.push(`export { ${name} } from ${JSON.stringify(file)};`);
          else errors.push({ text: `${sdk} has no module defining ${name} (${args.path})` });
        }
      }
      const rest = source
        .replace(SDK_EXPORT, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .trim();
      if (rest !== '')
        errors.push({
          text: `${args.path}: a lazy-sdk module holds only \`export { … } from '@aws-sdk/client-…';\``,
        });
      if (statements.length === 0) errors.push({ text: `${args.path}: a lazy-sdk module exports nothing` });
      return errors.length > 0 ? { errors } : { contents: statements.join('\n'), loader: 'ts', resolveDir };
    });
  },
};

module.exports = [workspaceSourcesAreSideEffectFree, lazySdkModulesImportDefiningFiles];
