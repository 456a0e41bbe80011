import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { BooksError } from '@books/core';

/** A free TCP port on the loopback interface, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface Spawned {
  readonly pid: number;
  /** Set once the process has exited (only observable from the process that spawned it). */
  exited(): { code: number | null; signal: string | null } | undefined;
}

/**
 * Starts a server with output appended to `logFile`. A `detached` server leads its own process
 * group and outlives the caller (a CLI `up`); otherwise it shares the caller's group, so a
 * terminal interrupt reaches it too (a test run). Either way the caller records the pid and
 * stops it with `stopProcess`.
 */
export function spawnServer(
  command: string,
  args: readonly string[],
  options: {
    logFile: string;
    detached: boolean;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
  },
): Spawned {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: options.detached,
      stdio: ['ignore', fd, fd],
    });
    let exit: { code: number | null; signal: string | null } | undefined;
    child.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    child.on('error', () => {
      exit ??= { code: null, signal: null };
    });
    child.unref();
    if (child.pid === undefined)
      throw new BooksError('STACK_START', `could not start ${command}`, { command });
    return { pid: child.pid, exited: () => exit };
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `pid` is a live process. Zombies count as gone. When `marker` is given and /proc is
 * readable, the process's command line must contain it: a recorded pid that the OS has since
 * reused for something else is not ours.
 */
export function isRunning(pid: number, marker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (errorCode(e) !== 'EPERM') return false;
  }
  const proc = `/proc/${pid}`;
  if (!existsSync('/proc/self')) return true;
  try {
    const stat = readFileSync(`${proc}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    return marker === undefined || readFileSync(`${proc}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** Stops a process by pid: SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopProcess(pid: number, marker?: string, graceMs = 5_000): Promise<void> {
  if (!isRunning(pid, marker)) return;
  signal(pid, 'SIGTERM');
  if (await waitFor(() => !isRunning(pid), graceMs)) return;
  signal(pid, 'SIGKILL');
  if (!(await waitFor(() => !isRunning(pid), 5_000)))
    throw new BooksError('STACK_STOP', `process ${pid} survived SIGKILL`, { pid });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 15): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The `code` of a Node system error (checked structurally: jest runs code in another realm). */
export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}
