import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BooksError } from '@books/core';
import { z } from 'zod';

/** The part of `books stack up`'s state file (`.books/stack.json`) a function needs. */
const StackStateSchema = z.object({
  stage: z.string().nullable(),
  dynamodb: z.object({ endpoint: z.url() }),
  sqs: z.object({ endpoint: z.url() }),
});

/**
 * Under `sls invoke local` (IS_LOCAL is set) a function runs against the embedded stack, not AWS:
 * its endpoints, its stage's table and queue, the simulated broker and the sample bars. Outside
 * it the environment is returned unchanged.
 */
export function withLocalStack(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): Readonly<Record<string, string | undefined>> {
  if (env.IS_LOCAL !== 'true') return env;
  const home = env.BOOKS_HOME ? resolve(env.BOOKS_HOME) : findBooksHome(cwd);
  const file = join(home, 'stack.json');
  if (!existsSync(file)) {
    throw new BooksError(
      'NO_LOCAL_STACK',
      `no embedded stack is running (${file} is missing): start it with  pnpm books stack up`,
    );
  }
  const state = StackStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const stage = state.stage ?? 'local';
  return {
    ...env,
    BOOKS_STAGE: stage,
    BOOKS_TABLE_NAME: `strategy-books-${stage}-ledger`,
    BOOKS_EXECUTION_QUEUE_NAME: `strategy-books-${stage}-execution`,
    BOOKS_EXECUTION_QUEUE_URL: undefined,
    BOOKS_STRATEGIES_CONFIG: `config.${stage}.json`,
    BOOKS_DYNAMODB_ENDPOINT: state.dynamodb.endpoint,
    BOOKS_SQS_ENDPOINT: state.sqs.endpoint,
    BOOKS_BROKER_MODE: 'simulated',
    BOOKS_BARS: join(home, 'sample-bars'),
    BOOKS_STRATEGIES_DIR: join(dirname(home), 'strategies'),
  };
}

/** `.books` of the nearest directory at or above `cwd` that has one (bundles run from a subfolder). */
function findBooksHome(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.books', 'stack.json'))) return join(dir, '.books');
    if (dirname(dir) === dir) return join(resolve(cwd), '.books');
  }
}
