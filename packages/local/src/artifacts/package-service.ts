import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BooksError } from '@books/core';
import { node22Executable, workspaceRoot } from '../stack/paths';
import { logTail } from '../stack/processes';
import { PACKAGED_TEMPLATE } from './packaged-template';

export interface PackageOptions {
  readonly stage: string;
  /** Where the zips and the packaged template go (created). */
  readonly outDir: string;
  /** Default: `<outDir>/package.log`. */
  readonly logFile?: string;
  readonly timeoutMs?: number;
}

/** A packaging lock older than this belongs to a process that died: it is taken over. */
const PACKAGING_LOCK_STALE_MS = 5 * 60_000;

/**
 * Runs `work` while no other `sls package` of this workspace runs. Packagings of one workspace
 * share its `.serverless/` folder (serverless-esbuild copies every zip there before serverless
 * copies them to `--package`, and a packaging starts by emptying it), so two at once lose each
 * other's zips. The lock is a directory beside the system's temp files, named by the workspace.
 */
export async function withPackagingLock<T>(work: () => Promise<T>): Promise<T> {
  const id = createHash('sha256').update(workspaceRoot()).digest('hex').slice(0, 16);
  const lock = join(tmpdir(), `books-sls-package-${id}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > PACKAGING_LOCK_STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // The lock went away: try again.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `sls package --stage <stage> --package <outDir>` on the workspace's serverless.yml: one zip per
 * function (serverless-esbuild, `package.individually`) and the CloudFormation template a deploy
 * would apply. Alpaca keys of this shell are kept out (the template would embed them), and the
 * bundles are built in a folder of `outDir`, so two packagings never share one.
 */
export function packageService(options: PackageOptions): Promise<string> {
  return withPackagingLock(() => packageUnlocked(options));
}

async function packageUnlocked(options: PackageOptions): Promise<string> {
  const root = workspaceRoot();
  mkdirSync(options.outDir, { recursive: true });
  const logFile = options.logFile ?? join(options.outDir, 'package.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    BOOKS_ESBUILD_WORK_FOLDER: relative(root, join(options.outDir, '.esbuild')),
    BOOKS_OFFLINE_WATCH: 'off',
  };
  for (const name of ['ALPACA_API_KEY_ID', 'ALPACA_API_SECRET_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
    delete env[name];
  const args = [
    join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'),
    'package',
    '--stage',
    options.stage,
    '--package',
    options.outDir,
  ];
  const fd = openSync(logFile, 'a');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(node22Executable(), args, { cwd: root, env, stdio: ['ignore', fd, fd] });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
      child.on('error', reject);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0 || !existsSync(join(options.outDir, PACKAGED_TEMPLATE)))
      throw new BooksError('ARTIFACT', `sls package failed (exit ${code}):\n${logTail(logFile, 30)}`, {
        stage: options.stage,
        logFile,
      });
  } finally {
    closeSync(fd);
  }
  return options.outDir;
}
