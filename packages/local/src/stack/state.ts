import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BooksError } from '@books/core';
import * as z from 'zod';
import type { ServerRecord } from './server-process';

const ServerRecordSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  endpoint: z.string().url(),
  logFile: z.string(),
  dataDir: z.string().nullable(),
});

const StackStateSchema = z.object({
  version: z.literal(1),
  startedAt: z.string(),
  home: z.string(),
  stage: z.string().nullable(),
  dynamodb: ServerRecordSchema,
  sqs: ServerRecordSchema,
});

/** What `books stack up` records so that later commands can find and stop its processes. */
export interface StackState {
  readonly version: 1;
  readonly startedAt: string;
  readonly home: string;
  readonly stage: string | null;
  readonly dynamodb: ServerRecord;
  readonly sqs: ServerRecord;
}

export function stateFile(home: string): string {
  return join(home, 'stack.json');
}

export function readState(home: string): StackState | undefined {
  const file = stateFile(home);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BooksError(
      'STACK_STATE',
      `${file} is not JSON; remove it once no stack runs`,
      { file },
      { cause: e },
    );
  }
  const parsed = StackStateSchema.safeParse(json);
  if (!parsed.success)
    throw new BooksError('STACK_STATE', `${file} is not a stack state: ${parsed.error.message}`, { file });
  return parsed.data;
}

/** Writes atomically (temp file + rename): a reader never sees half a state. */
export function writeState(state: StackState): void {
  const file = stateFile(state.home);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeState(home: string): void {
  rmSync(stateFile(home), { force: true });
}
