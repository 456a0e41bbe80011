import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BooksError } from '@books/core';
import * as z from 'zod';
import { LOCAL_REGION } from '../stack/clients';
import { node22Executable } from '../stack/paths';
import { logTail } from '../stack/processes';
import { type PackagedFunction, readPackagedFunctions, resolveEnvironment } from './packaged-template';
import { unzipInto } from './unzip';

const HOST_PROGRAM = join(__dirname, 'artifact-host.mjs');

export interface ArtifactRuntimeOptions {
  /** What `sls package --package <dir>` wrote: the zips and the packaged template. */
  readonly packageDir: string;
  /** An empty directory: each function's task root, sandbox and log go under `<workDir>/<function>/`. */
  readonly workDir: string;
  /** Only these functions (serverless.yml keys); default: every packaged function. */
  readonly functions?: readonly string[];
  /** Local values of what the template leaves to CloudFormation (`LogicalId`, `LogicalId.Arn`). */
  readonly references?: Readonly<Record<string, string>>;
  /**
   * A stack home (stack.json, sample bars, simulated clock, flow flags) each function reaches as
   * `<taskRoot>/.books` (BOOKS_HOME): the local overlay then reads its strategies from the task
   * root, `<taskRoot>/strategies`, where the deployed function reads them too.
   */
  readonly booksHome?: string;
  /** Variables set on top of the template's (after it is resolved), per function. */
  readonly env?: (fn: PackagedFunction) => Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

/** A function running from its artifact. */
export interface ArtifactFunction {
  readonly fn: PackagedFunction;
  readonly taskRoot: string;
  readonly logFile: string;
}

/** What one cold start measured: the handler module's load, and its error if it failed to load. */
export interface ColdStart {
  readonly loadMs: number;
  readonly initError?: { readonly errorType: string; readonly errorMessage: string };
}

const ReadySchema = z.object({
  type: z.literal('ready'),
  port: z.number().int().positive(),
  loadMs: z.number(),
  initError: z.object({ errorType: z.string(), errorMessage: z.string() }).optional(),
});

interface Sandbox {
  readonly child: ChildProcess;
  readonly port: number;
  readonly coldStart: ColdStart;
  exited: boolean;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The packaged functions run as Lambda runs them: each zip unpacked into its own empty task root,
 * each function in its own Node 22 process with the task root as working directory and the
 * template's handler and environment (no access to the workspace: a file missing from the
 * artifact is missing), behind one Lambda Invoke endpoint on loopback (`endpoint`) that any
 * Lambda client, DailyRun's Tasks and the functions themselves (AWS_ENDPOINT_URL_LAMBDA) reach
 * them through. A sandbox serves one invocation at a time; one that exits (a timeout) is replaced
 * by a fresh one, cold, on the next invocation.
 */
export class ArtifactRuntime {
  private readonly sandboxes = new Map<string, Promise<Sandbox>>();
  private stopping = false;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly byName: ReadonlyMap<string, ArtifactFunction>,
    private readonly options: ArtifactRuntimeOptions,
    private readonly hostProgram: string,
  ) {}

  /** Unpacks the artifacts and starts every function's sandbox (each cold-starts once). */
  static async start(options: ArtifactRuntimeOptions): Promise<ArtifactRuntime> {
    const wanted = options.functions === undefined ? undefined : new Set(options.functions);
    const packaged = readPackagedFunctions(options.packageDir).filter((f) => wanted?.has(f.key) ?? true);
    for (const key of wanted ?? [])
      if (!packaged.some((f) => f.key === key))
        throw new BooksError('ARTIFACT', `no packaged function ${key} in ${options.packageDir}`, { key });
    // The runtime's own program sits outside every task root, as Lambda's runtime does.
    const runtimeDir = join(options.workDir, '.runtime');
    mkdirSync(runtimeDir, { recursive: true });
    const hostProgram = join(runtimeDir, 'artifact-host.mjs');
    copyFileSync(HOST_PROGRAM, hostProgram);
    const byName = new Map<string, ArtifactFunction>();
    for (const fn of packaged) {
      const taskRoot = join(options.workDir, fn.key, 'task');
      mkdirSync(taskRoot, { recursive: true });
      unzipInto(fn.zipFile, taskRoot);
      if (options.booksHome !== undefined) symlinkSync(options.booksHome, join(taskRoot, '.books'), 'dir');
      mkdirSync(join(options.workDir, fn.key, 'sandbox'), { recursive: true });
      byName.set(fn.functionName, { fn, taskRoot, logFile: join(options.workDir, fn.key, 'function.log') });
    }
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const runtime = new ArtifactRuntime(server, `http://127.0.0.1:${port}`, byName, options, hostProgram);
    server.on('request', (req, res) => runtime.route(req, res));
    try {
      await Promise.all([...byName.keys()].map((name) => runtime.sandbox(name)));
    } catch (e) {
      await runtime.stop();
      throw e;
    }
    return runtime;
  }

  /** The running functions, by serverless.yml key. */
  get functions(): ReadonlyMap<string, ArtifactFunction> {
    return new Map([...this.byName.values()].map((f) => [f.fn.key, f]));
  }

  /** The cold start of a function's current sandbox (starting one if none runs). */
  async coldStart(key: string): Promise<ColdStart> {
    const f = this.functions.get(key);
    if (!f) throw new BooksError('ARTIFACT', `no function ${key}`, { key });
    return (await this.sandbox(f.fn.functionName)).coldStart;
  }

  /** Stops every sandbox (SIGTERM, then SIGKILL) and the endpoint. */
  async stop(): Promise<void> {
    this.stopping = true;
    const sandboxes = await Promise.allSettled(this.sandboxes.values());
    await Promise.all(
      sandboxes.map(async (s) => {
        if (s.status !== 'fulfilled' || s.value.exited) return;
        const { child } = s.value;
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }),
    );
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sandbox(functionName: string): Promise<Sandbox> {
    const existing = this.sandboxes.get(functionName);
    if (existing) return existing;
    const f = this.byName.get(functionName);
    if (!f) return Promise.reject(new BooksError('ARTIFACT', `no function ${functionName}`));
    const started = this.spawnSandbox(f);
    this.sandboxes.set(functionName, started);
    started.then(
      (s) =>
        s.child.once('exit', () => {
          s.exited = true;
          if (this.sandboxes.get(functionName) === started) this.sandboxes.delete(functionName);
        }),
      () => this.sandboxes.delete(functionName),
    );
    return started;
  }

  /** Forgets a sandbox that is exiting (its invocation timed out): the next invocation starts a new one. */
  private discard(functionName: string, sandbox: Sandbox): void {
    const current = this.sandboxes.get(functionName);
    if (current === undefined) return;
    void current.then((s) => {
      if (s === sandbox && this.sandboxes.get(functionName) === current) this.sandboxes.delete(functionName);
    });
  }

  private spawnSandbox(f: ArtifactFunction): Promise<Sandbox> {
    const { fn, taskRoot } = f;
    const sandboxHome = join(this.options.workDir, fn.key, 'sandbox');
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      HOME: sandboxHome,
      // No profile, no shared credentials of the user: a client the function did not point at the
      // local stack signs with throwaway credentials.
      AWS_CONFIG_FILE: join(sandboxHome, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(sandboxHome, 'no-aws-credentials'),
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: fn.handler,
      BOOKS_ARTIFACT_TIMEOUT_SECONDS: String(fn.timeoutSeconds),
      // A function invoking another (execution → reconciler) comes back through this endpoint.
      AWS_ENDPOINT_URL_LAMBDA: this.endpoint,
      ...resolveEnvironment(fn, this.options.references),
      ...(this.options.booksHome === undefined ? {} : { BOOKS_HOME: join(taskRoot, '.books') }),
      ...this.options.env?.(fn),
    };
    const fd = openSync(f.logFile, 'a');
    try {
      const child = spawn(node22Executable(), [this.hostProgram], {
        cwd: taskRoot,
        env,
        stdio: ['ignore', fd, fd, 'ipc'],
      });
      return new Promise<Sandbox>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new BooksError('ARTIFACT', `${fn.key} did not start:\n${logTail(f.logFile)}`));
        }, this.options.readyTimeoutMs ?? 60_000);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(
            new BooksError(
              'ARTIFACT',
              `${fn.key} exited (${code ?? signal}) before it was ready:\n${logTail(f.logFile)}`,
            ),
          );
        });
        child.once('message', (message) => {
          clearTimeout(timer);
          const ready = ReadySchema.safeParse(message);
          if (!ready.success) {
            child.kill('SIGKILL');
            reject(new BooksError('ARTIFACT', `${fn.key}: unexpected message ${JSON.stringify(message)}`));
            return;
          }
          const { port, loadMs, initError } = ready.data;
          resolve({ child, port, coldStart: { loadMs, ...(initError ? { initError } : {}) }, exited: false });
        });
      });
    } finally {
      closeSync(fd);
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.endpoint).pathname;
    if (req.method === 'GET' && path === '/2015-03-31/functions') {
      const list = [...this.byName.keys()].map((FunctionName) => ({ FunctionName }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Functions: list }));
      return;
    }
    const match = INVOKE_PATH.exec(path);
    // A name, a name:qualifier or an ARN, percent-encoded by the SDK.
    const name = match?.[1] === undefined ? undefined : nameOf(decodeURIComponent(match[1]));
    if (req.method !== 'POST' || name === undefined || !this.byName.has(name) || this.stopping) {
      req.resume();
      res
        .writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-ErrorType': 'ResourceNotFoundException',
        })
        .end(JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? path}` }));
      return;
    }
    this.sandbox(name).then(
      (sandbox) => {
        const upstream = request(
          { host: '127.0.0.1', port: sandbox.port, method: 'POST', path, headers: req.headers },
          (answer) => {
            if (answer.headers['x-books-sandbox-discarded'] === 'true') this.discard(name, sandbox);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (e) => {
          if (!res.headersSent)
            res
              .writeHead(502, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ServiceException' })
              .end(JSON.stringify({ message: `${name}: ${e.message}` }));
          else res.destroy(e);
        });
        req.pipe(upstream);
      },
      (e: unknown) => {
        req.resume();
        res
          .writeHead(502, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ServiceException' })
          .end(JSON.stringify({ message: e instanceof Error ? e.message : String(e) }));
      },
    );
  }
}

/** `name`, `name:qualifier` or `arn:aws:lambda:region:account:function:name[:qualifier]` → name. */
function nameOf(id: string): string {
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(id);
  return arn?.[1] ?? id.split(':')[0] ?? id;
}
