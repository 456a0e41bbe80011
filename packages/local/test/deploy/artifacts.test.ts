import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { zipEntries } from '../../src/artifacts/unzip';
import { packageStage } from './packaged';

/** Lambda unzips each function's code on a cold start: small zips start faster. */
const MAX_ZIP_BYTES = 1024 * 1024;

/** The functions that read the stage's strategy config at run time (BOOKS_STRATEGIES_DIR). */
const READ_CONFIG = ['coordinator', 'strategyWorker', 'legacy', 'reconciler'];

/**
 * The AWS SDK clients each function makes (its handler's wiring, and the reconciler's invoke
 * where it asks for one); the SDK's credential chain brings its own (STS, SSO), not counted.
 */
const CLIENTS: Readonly<Record<string, readonly string[]>> = {
  coordinator: ['DynamoDBClient', 'EventBridgeClient', 'LambdaClient', 'SSMClient'],
  strategyWorker: ['DynamoDBClient', 'S3Client', 'SQSClient', 'SSMClient'],
  legacy: ['DynamoDBClient', 'SQSClient', 'SSMClient'],
  execution: ['DynamoDBClient', 'EventBridgeClient', 'LambdaClient', 'SQSClient', 'SSMClient'],
  reconciler: ['DynamoDBClient', 'EventBridgeClient', 'SSMClient'],
  dataRefresh: ['S3Client', 'SSMClient'],
  notifier: ['DynamoDBClient', 'S3Client', 'SESv2Client', 'SNSClient', 'SSMClient'],
};
const SERVICE_CLIENTS = [
  'DynamoDBClient',
  'EventBridgeClient',
  'LambdaClient',
  'S3Client',
  'SESv2Client',
  'SNSClient',
  'SQSClient',
  'SSMClient',
];

describe('the packaged function artifacts', () => {
  jest.setTimeout(180_000);

  it.each(['prod', 'dev'])(
    'ships config.%s.json and its strategy files with every function that reads them',
    async (stage) => {
      const { dir } = await packageStage(stage);
      for (const fn of READ_CONFIG) {
        const names = zipEntries(join(dir, `${fn}.zip`)).map((e) => e.name);
        const config = zipEntries(join(dir, `${fn}.zip`)).find(
          (e) => e.name === `strategies/config.${stage}.json`,
        );
        expect({ fn, config: config !== undefined }).toEqual({ fn, config: true });
        const files = z
          .object({ strategies: z.array(z.object({ file: z.string() })) })
          .parse(JSON.parse(config?.data.toString('utf8') ?? '{}'))
          .strategies.map((s) => `strategies/${s.file}`);
        expect({ fn, missing: files.filter((f) => !names.includes(f)) }).toEqual({ fn, missing: [] });
      }
    },
  );

  it.each(['prod', 'dev'])(
    'ships every %s function in a zip of at most 1 MB, minified, without source maps or kept names',
    async (stage) => {
      const { dir, template } = await packageStage(stage);
      const functions = Object.keys(template.Resources)
        .filter((id) => template.Resources[id]?.Type === 'AWS::Lambda::Function')
        .map((id) => id.replace(/LambdaFunction$/, ''))
        .map((name) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`);
      expect(functions.length).toBe(7);
      for (const fn of functions) {
        const zip = join(dir, `${fn}.zip`);
        expect({ fn, withinLimit: statSync(zip).size <= MAX_ZIP_BYTES }).toEqual({ fn, withinLimit: true });
        const entries = zipEntries(zip);
        expect(entries.filter((e) => e.name.endsWith('.map')).map((e) => `${fn}: ${e.name}`)).toEqual([]);
        const handler = entries.find((e) => e.name.endsWith('handler.js'));
        // Minified: no source map reference, and few lines for its size.
        expect(handler?.data.toString('utf8').includes('sourceMappingURL')).toBe(false);
        expect(
          (handler?.data.toString('utf8').split('\n').length ?? 0) < (handler?.data.length ?? 0) / 200,
        ).toBe(true);
        // Names not kept: no keepNames helper (`(fn, name) => defineProperty(fn, "name", …)`), whose
        // call per function and class costs the load; errors state their names (error-names.test.ts).
        expect({
          fn,
          keptNames: /"name",\{value:\w+,configurable:!0\}/.test(handler?.data.toString('utf8') ?? ''),
        }).toEqual({
          fn,
          keptNames: false,
        });
      }
    },
  );

  it('bundles in each function only the AWS SDK clients it makes', async () => {
    const { dir } = await packageStage('prod');
    for (const [fn, expected] of Object.entries(CLIENTS)) {
      const handler = zipEntries(join(dir, `${fn}.zip`)).find((e) => e.name.endsWith('.js'));
      const code = handler?.data.toString('utf8') ?? '';
      // Each bundled client's commands carry its name as a string (the SDK's command metadata).
      const bundled = SERVICE_CLIENTS.filter((name) => code.includes(`"${name}"`));
      expect({ fn, bundled }).toEqual({ fn, bundled: expected });
    }
  });

  it("leaves out of each function the workspace modules it never reaches, and turns zod's JIT off first", async () => {
    const { dir } = await packageStage('prod');
    for (const fn of Object.keys(CLIENTS)) {
      const handler = zipEntries(join(dir, `${fn}.zip`)).find((e) => e.name.endsWith('.js'));
      const code = handler?.data.toString('utf8') ?? '';
      // market-data's index re-exports dataRefresh's Alpaca bars client: only dataRefresh reaches it
      // (its endpoint's name: the bundles do not keep class names).
      expect({ fn, alpacaBarsClient: code.includes('"GET /v2/stocks/bars"') }).toEqual({
        fn,
        alpacaBarsClient: fn === 'dataRefresh',
      });
      // Before zod's module builds a schema (runtime/test/zod-jitless.test.ts).
      expect(code.startsWith('globalThis.__zod_globalConfig={jitless:true};')).toBe(true);
    }
  });
});
