import { BooksError } from '@books/core';
import { logTail, type Spawned, stopProcess, waitFor } from './processes';

/** One embedded server as recorded in the state file. */
export interface ServerRecord {
  readonly pid: number;
  readonly port: number;
  readonly endpoint: string;
  readonly logFile: string;
  /** Where it persists its data; null when in memory. */
  readonly dataDir: string | null;
}

/** Marks each server's command line, so a recycled pid is never mistaken for ours. */
export const PROCESS_MARKERS = { dynamodb: 'DynamoDBLocal.jar', sqs: 'fauxqs-server.mjs' } as const;

/**
 * Waits until a freshly spawned server answers `healthy`. If it exits or stays silent past
 * `timeoutMs`, it is stopped and the error carries the end of its log.
 */
export async function awaitReady(
  name: string,
  spawned: Spawned,
  marker: string,
  logFile: string,
  healthy: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  let exitedEarly = false;
  const ready = await waitFor(async () => {
    if (spawned.exited() !== undefined) {
      exitedEarly = true;
      return true;
    }
    return healthy();
  }, timeoutMs);
  if (ready && !exitedEarly) return;
  await stopProcess(spawned.pid, marker);
  const why = exitedEarly
    ? `exited (${JSON.stringify(spawned.exited())})`
    : `did not answer in ${timeoutMs} ms`;
  throw new BooksError('STACK_START', `${name} ${why}; end of ${logFile}:\n${logTail(logFile)}`, {
    pid: spawned.pid,
    logFile,
  });
}
