import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ArtifactRuntime } from '../../src/artifacts/artifact-runtime';
import { PACKAGED_TEMPLATE } from '../../src/artifacts/packaged-template';
import { invokeFunction, offlineLambda } from '../../src/dev/offline-lambda';

/** A zip as `sls package` writes one: deflated entries, a central directory, no zip64. */
function writeZip(file: string, entries: Readonly<Record<string, string>>): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...locals, directory, end]));
}

/** A handler that reports what it runs with; `sleepMs` outlasts its timeout, `fail` throws. */
const PROBE = `
const { existsSync } = require('node:fs');
exports.handler = async (event, context) => {
  if (event.fail) throw new TypeError('the probe was asked to fail');
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  let workspaceModule = true;
  try { require.resolve('zod'); } catch { workspaceModule = false; }
  return {
    cwd: process.cwd(),
    greeting: process.env.GREETING,
    queueUrl: process.env.QUEUE_URL,
    dataFile: existsSync('data/config.json'),
    workspaceModule,
    remainingMs: context.getRemainingTimeInMillis(),
    requestId: context.awsRequestId,
    functionName: context.functionName,
    pid: process.pid,
  };
};
`;

function lambdaResource(key: string, handler: string, environment: Record<string, unknown>) {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: `svc-test-${key}`,
      Handler: handler,
      Runtime: 'nodejs22.x',
      Timeout: 1,
      MemorySize: 256,
      Code: { S3Bucket: { Ref: 'ServerlessDeploymentBucket' }, S3Key: `serverless/svc/test/1/${key}.zip` },
      Environment: { Variables: environment },
    },
  };
}

describe('the artifact runtime', () => {
  const root = mkdtempSync(join(tmpdir(), 'books-artifact-runtime-'));
  const packageDir = join(root, 'package');
  let runtime: ArtifactRuntime | undefined;

  beforeAll(async () => {
    mkdirSync(packageDir);
    writeZip(join(packageDir, 'probe.zip'), { 'src/probe.js': PROBE, 'data/config.json': '{}' });
    writeZip(join(packageDir, 'broken.zip'), { 'src/other.js': 'exports.handler = async () => 1;' });
    writeZip(join(packageDir, 'esm.zip'), {
      'package.json': '{"type":"module"}',
      // Top-level await: a module only an import loads (require refuses it).
      'src/esm.js':
        'const ready = await Promise.resolve(true);\nexport const handler = async () => ({ ready });',
    });
    writeFileSync(
      join(packageDir, PACKAGED_TEMPLATE),
      JSON.stringify({
        Resources: {
          Queue: { Type: 'AWS::SQS::Queue' },
          ProbeLambdaFunction: lambdaResource('probe', 'src/probe.handler', {
            GREETING: 'hello',
            QUEUE_URL: { Ref: 'Queue' },
          }),
          BrokenLambdaFunction: lambdaResource('broken', 'src/missing.handler', {}),
          EsmLambdaFunction: lambdaResource('esm', 'src/esm.handler', {}),
        },
      }),
    );
    runtime = await ArtifactRuntime.start({
      packageDir,
      workDir: join(root, 'functions'),
      references: { Queue: 'http://127.0.0.1:1/queue/local' },
    });
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const invoke = async (name: string, event: unknown) => {
    if (!runtime) throw new Error('the runtime did not start');
    const lambda = offlineLambda(runtime.endpoint);
    try {
      return await invokeFunction(lambda, name, event);
    } finally {
      lambda.destroy();
    }
  };

  it('runs the template’s handler in its own task root with the template’s environment and a Lambda context', async () => {
    const taskRoot = runtime?.functions.get('probe')?.taskRoot;
    const result = await invoke('svc-test-probe', {});
    expect(result).toMatchObject({
      cwd: taskRoot,
      greeting: 'hello',
      queueUrl: 'http://127.0.0.1:1/queue/local',
      dataFile: true,
      workspaceModule: false,
      functionName: 'svc-test-probe',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const { remainingMs } = result as { remainingMs: number };
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(1_000);
  });

  it('answers a function’s error as Lambda does, named by its type', async () => {
    await expect(invoke('svc-test-probe', { fail: true })).rejects.toMatchObject({
      name: 'TypeError',
      message: 'the probe was asked to fail',
    });
  });

  it('fails an invocation past the function’s timeout and serves the next one from a fresh sandbox', async () => {
    const before = (await invoke('svc-test-probe', {})) as { pid: number };
    await expect(invoke('svc-test-probe', { sleepMs: 3_000 })).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'Task timed out after 1 seconds',
    });
    const after = (await invoke('svc-test-probe', {})) as { pid: number };
    expect(after.pid).not.toBe(before.pid);
  }, 20_000);

  it('loads a .js handler as an ES module when its package.json says "type": "module", as Lambda does', async () => {
    expect(await invoke('svc-test-esm', {})).toEqual({ ready: true });
  });

  it('reports a handler its artifact does not hold at cold start and on every invocation', async () => {
    expect((await runtime?.coldStart('broken'))?.initError).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
    });
    await expect(invoke('svc-test-broken', {})).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' });
  });

  it('accepts an asynchronous invocation with 202 and refuses an unknown function', async () => {
    if (!runtime) throw new Error('the runtime did not start');
    const lambda = offlineLambda(runtime.endpoint);
    try {
      const accepted = await lambda.send(
        new InvokeCommand({
          FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:svc-test-probe',
          InvocationType: 'Event',
          Payload: new TextEncoder().encode('{}'),
        }),
      );
      expect(accepted.StatusCode).toBe(202);
      await expect(invokeFunction(lambda, 'svc-test-nothing', {})).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      lambda.destroy();
    }
  });
});
