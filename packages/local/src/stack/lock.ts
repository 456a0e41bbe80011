import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BooksError } from '@books/core';
import { errorCode, isRunning, waitFor } from './processes';

/**
 * Runs `fn` holding `<home>/stack.lock`, so that two `books stack up|down` at once cannot both
 * start servers (the loser of such a race would leave processes nobody records). A lock whose
 * holder process is gone is taken over.
 */
export async function withStackLock<T>(home: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  mkdirSync(home, { recursive: true });
  const file = join(home, 'stack.lock');
  const acquired = await waitFor(() => tryAcquire(file), timeoutMs, 100);
  if (!acquired) throw new BooksError('STACK_LOCKED', `${file} is held by another books process`, { file });
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

function tryAcquire(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
  }
  let holder = Number.NaN;
  try {
    holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return false;
  }
  // An empty file may be a holder between open and write: only a dead holder's lock is taken over.
  if (Number.isInteger(holder) && holder > 0 && !isRunning(holder)) rmSync(file, { force: true });
  return false;
}
