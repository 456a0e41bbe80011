import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = join(__dirname, '../../../..');
const LEGACY_DIR = join(ROOT, 'packages', 'legacy');

/** Every function of serverless.yml but the merged flow's, by handler file. */
const PER_STRATEGY_HANDLERS = [
  'packages/coordinator/src/handler.ts',
  'packages/strategy-worker/src/handler.ts',
  'packages/execution/src/handler.ts',
  'packages/reconciler/src/handler.ts',
  'packages/market-data/src/data-refresh-handler.ts',
];

/** Fails the build on any module of packages/legacy: as if the package had been deleted. */
const legacyDeleted: Plugin = {
  name: 'legacy-deleted',
  setup(b) {
    b.onResolve({ filter: /^@books\/legacy(\/.*)?$/ }, (args) => ({
      errors: [{ text: `${args.importer} imports ${args.path}, which is deleted` }],
    }));
    b.onLoad({ filter: /.*/ }, (args) =>
      args.path.startsWith(LEGACY_DIR + sep)
        ? { errors: [{ text: `${args.path} is in the deleted legacy package` }] }
        : undefined,
    );
  },
};

describe('the legacy package is deletable', () => {
  it.each(PER_STRATEGY_HANDLERS)(
    'builds %s (the deployed bundle) without packages/legacy',
    async (handler) => {
      const result = await build({
        entryPoints: [join(ROOT, handler)],
        bundle: true,
        platform: 'node',
        target: 'node22',
        write: false,
        logLevel: 'silent',
        metafile: true,
        plugins: [legacyDeleted],
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((i) => i.includes('packages/legacy/'))).toEqual([]);
      expect(inputs.some((i) => i.includes(handler.replace(/\.ts$/, '')))).toBe(true);
    },
    60_000,
  );

  it('is a dependency of no package but the tools (the local runner runs every function; the operator migrates, the CLI and replay show its books)', () => {
    const dependents = readdirSync(join(ROOT, 'packages')).filter((name) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      return { ...manifest.dependencies, ...manifest.devDependencies }['@books/legacy'] !== undefined;
    });
    expect(dependents).toEqual(['cli', 'local', 'operator', 'replay']);
  });
});
