import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';

/**
 * The functions load the SDK of a client their first invocation may not call (SQS, EventBridge,
 * Lambda) on its first use, not at their module load (runtime's lazy-sdk.ts), and still bundle only
 * the commands they send (scripts/esbuild-plugins.cjs). Proven on the handlers bundled as
 * serverless.yml's custom.esbuild bundles them.
 */
const ROOT = path.resolve(__dirname, '../..');

function isPluginList(value: unknown): value is Plugin[] {
  return (
    Array.isArray(value) &&
    value.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        'name' in p &&
        typeof p.name === 'string' &&
        'setup' in p &&
        typeof p.setup === 'function',
    )
  );
}

function pluginsOf(value: unknown): Plugin[] {
  if (!isPluginList(value)) throw new Error('esbuild-plugins.cjs exports no list of plugins');
  return value;
}

/** The functions' plugins (serverless.yml's custom.esbuild.plugins). */
const workspacePlugins = pluginsOf(require('../esbuild-plugins.cjs'));

/** serverless.yml's custom.esbuild, as far as what a bundle holds and runs at load goes. */
const FUNCTION_BUNDLE: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  supported: { 'dynamic-import': false },
  logLevel: 'silent',
};

const DEFERRED = ['client-eventbridge', 'client-lambda', 'client-sqs'];

/**
 * Marks each SDK client package whose modules run: appended to its configuration, its schemas and
 * its error classes (a client imports all three, a command the schemas).
 */
const SDK_CLIENT_MODULE =
  /[\\/]@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]dist-es[\\/](runtimeConfig\.shared|schemas[\\/]schemas_0|models[\\/]errors)\.js$/;
const markSdkModuleLoads: Plugin = {
  name: 'mark-sdk-module-loads',
  setup(b) {
    b.onLoad({ filter: SDK_CLIENT_MODULE }, async (args) => ({
      contents: `${await readFile(args.path, 'utf8')}\n(globalThis.__sdkLoaded ??= new Set()).add(${JSON.stringify(SDK_CLIENT_MODULE.exec(args.path)?.[1])});`,
      loader: 'js',
    }));
  },
};

/** The SDK client packages whose modules run when `handler` is loaded, in a fresh Node process. */
async function sdkPackagesRunAtLoad(handler: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lazy-sdk-'));
  try {
    const outfile = path.join(dir, 'handler.js');
    await build({
      ...FUNCTION_BUNDLE,
      entryPoints: [path.join(ROOT, handler)],
      outfile,
      plugins: [markSdkModuleLoads, ...workspacePlugins],
    });
    const printed = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(outfile)}); console.log(JSON.stringify([...(globalThis.__sdkLoaded ?? [])]))`,
      ],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          BOOKS_STAGE: 'test',
          BOOKS_TABLE_NAME: 'strategy-books-test-ledger',
          BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
          BOOKS_BROKER_MODE: 'alpaca-paper',
          BOOKS_EVENT_BUS_NAME: 'strategy-books-test',
          BOOKS_RECONCILER_FUNCTION: 'strategy-books-test-reconciler',
          BOOKS_LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      },
    );
    const loaded: unknown = JSON.parse(printed);
    if (!Array.isArray(loaded) || !loaded.every((n) => typeof n === 'string'))
      throw new Error(`unexpected output: ${printed}`);
    return [...loaded].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per SDK client package of the bundle, the commands it holds. */
async function bundledCommands(handler: string, plugins: Plugin[]): Promise<Record<string, string[]>> {
  const { metafile } = await build({
    ...FUNCTION_BUNDLE,
    entryPoints: [path.join(ROOT, handler)],
    write: false,
    metafile: true,
    plugins,
  });
  const commands: Record<string, string[]> = {};
  for (const output of Object.values(metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]dist-es[\\/]commands[\\/](\w+)Command\.js$/.exec(input);
      const [, client, command] = m ?? [];
      if (client && command && bytesInOutput > 0) commands[client] = [...(commands[client] ?? []), command];
    }
  for (const list of Object.values(commands)) list.sort();
  return commands;
}

describe("a function's module load", () => {
  it.each(['packages/execution/src/handler.ts', 'packages/coordinator/src/handler.ts'])(
    '%s runs the DynamoDB SDK but none of the SQS, EventBridge or Lambda SDKs',
    async (handler) => {
      const loaded = await sdkPackagesRunAtLoad(handler);
      expect(loaded).toContain('client-dynamodb');
      expect(loaded.filter((name) => DEFERRED.includes(name))).toEqual([]);
    },
    120_000,
  );
});

describe('a lazily loaded SDK module', () => {
  it('bundles only the commands the function sends (execution: Invoke, PutEvents, GetQueueUrl, SendMessageBatch)', async () => {
    const commands = await bundledCommands('packages/execution/src/handler.ts', workspacePlugins);
    expect({
      lambda: commands['client-lambda'],
      eventbridge: commands['client-eventbridge'],
      sqs: commands['client-sqs'],
    }).toEqual({ lambda: ['Invoke'], eventbridge: ['PutEvents'], sqs: ['GetQueueUrl', 'SendMessageBatch'] });
  }, 120_000);

  it("bundles every command of the SDK's index without the plugin that imports each from its own module", async () => {
    const without = workspacePlugins.filter((p) => p.name !== 'lazy-sdk-modules-import-defining-files');
    expect(without).toHaveLength(workspacePlugins.length - 1);
    const commands = await bundledCommands('packages/execution/src/handler.ts', without);
    expect(commands['client-lambda']?.length).toBeGreaterThan(50);
  }, 120_000);
});
