import { get } from 'node:http';
import { join, relative } from 'node:path';
import { node22Executable, workspaceRoot } from '../stack/paths';
import { type Spawned, spawnServer, stopProcess } from '../stack/processes';
import { awaitReady } from '../stack/server-process';
import { offlineLambdaEndpoint } from './offline-lambda';

/** Marks serverless-offline's command line, so a recycled pid is never mistaken for it. */
const OFFLINE_MARKER = 'serverless.js';

export interface OfflineOptions {
  /** The serverless stage: the functions are served as `<service>-<stage>-<function>`. */
  readonly stage: string;
  readonly lambdaPort: number;
  readonly httpPort: number;
  /** The stack's home: the functions read its stack.json, sample bars and simulated clock. */
  readonly booksHome: string;
  readonly logFile: string;
  /** Rebundle when a package's source changes (default true). */
  readonly reload?: boolean;
  /** Bundling every function first takes a while on a busy machine. */
  readonly readyTimeoutMs?: number;
}

export interface OfflineServer {
  readonly pid: number;
  /** Its Lambda endpoint (the Invoke API). */
  readonly endpoint: string;
  readonly logFile: string;
  /** Set once it has exited on its own. */
  exited(): { code: number | null; signal: string | null } | undefined;
  /** SIGTERM (it halts its servers), then SIGKILL; resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts `serverless offline` on the workspace's serverless.yml (serverless-esbuild bundles the
 * functions first): the functions on a Lambda endpoint on loopback, running under IS_OFFLINE, so
 * the runtime's local overlay binds them to the embedded stack of `booksHome`. `--localEnvironment`
 * is what carries BOOKS_HOME into them. Schedules are forced off whatever the stage says: nothing
 * fires on its own locally. It shares this process's group, so a terminal's Ctrl-C reaches it too.
 */
export async function startOffline(options: OfflineOptions): Promise<OfflineServer> {
  const root = workspaceRoot();
  const args = [
    join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'),
    'offline',
    'start',
    '--stage',
    options.stage,
    '--host',
    '127.0.0.1',
    '--lambdaPort',
    String(options.lambdaPort),
    '--httpPort',
    String(options.httpPort),
    '--localEnvironment',
    '--noSponsor',
    '--param',
    'schedulesEnabled=false',
  ];
  const endpoint = offlineLambdaEndpoint(options.lambdaPort);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BOOKS_HOME: options.booksHome,
    // A function that invokes another (execution → reconciler) reaches it through offline, and
    // an AWS client the overlay did not point at the stack signs with throwaway credentials,
    // never the user's.
    AWS_ENDPOINT_URL_LAMBDA: endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // Bundles go under the stack's home: `sls package` removes .esbuild/ when it finishes.
    BOOKS_ESBUILD_WORK_FOLDER: relative(root, join(options.booksHome, 'offline-build')),
    ...(options.reload === false ? { BOOKS_OFFLINE_WATCH: 'off' } : {}),
  };
  for (const name of ['IS_LOCAL', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
  const spawned: Spawned = spawnServer(node22Executable(), args, {
    logFile: options.logFile,
    detached: false,
    cwd: root,
    env,
  });
  await awaitReady(
    'serverless-offline',
    spawned,
    OFFLINE_MARKER,
    options.logFile,
    () => answers(endpoint),
    options.readyTimeoutMs ?? 180_000,
  );
  return {
    pid: spawned.pid,
    endpoint,
    logFile: options.logFile,
    exited: () => spawned.exited(),
    stop: () => stopProcess(spawned.pid, OFFLINE_MARKER, 10_000),
  };
}

/** Whether anything answers HTTP there (an unknown route's 404 counts: the server is up). */
export function answers(endpoint: string, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${endpoint}/2015-03-31/functions`, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
