/**
 * The esbuild plugins of every bundle built from the workspace: the functions' (serverless.yml,
 * custom.esbuild.plugins, which requires this file for the array it exports) and the `books`
 * executable's (scripts/build-cli.mjs). CommonJS, plain JavaScript: serverless-esbuild `require`s it.
 */
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

module.exports = [workspaceSourcesAreSideEffectFree];
