import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BooksError, type Clock } from '@books/core';
import * as z from 'zod';

/** The part of `books stack up`'s state file (`.books/stack.json`) a function needs. */
const StackStateSchema = z.object({
  stage: z.string().nullable(),
  dynamodb: z.object({ endpoint: z.url() }),
  sqs: z.object({ endpoint: z.url() }),
});

/** What `books run --via-offline` writes so that functions under serverless-offline live on its day. */
const SimulatedClockSchema = z.object({ now: z.iso.datetime({ offset: true }) });

/** The simulated time of local functions, in the stack's home. */
export const SIMULATED_CLOCK_FILE = 'simulated-clock.json';

/**
 * Whether a function runs on a developer's machine: `sls invoke local` sets IS_LOCAL,
 * serverless-offline sets IS_OFFLINE.
 */
export function isLocalRuntime(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.IS_LOCAL === 'true' || env.IS_OFFLINE === 'true';
}

/**
 * Under `sls invoke local` or serverless-offline a function runs against the embedded stack, not
 * AWS: its endpoints, its stage's table and queue, the simulated broker, the sample bars, flow
 * flags and trader controls in files (`<home>/flow-flags.<stage>.json`, `<home>/controls.<stage>.json`;
 * absent: none). The
 * stack is the one recorded in `$BOOKS_HOME/stack.json`, else in the nearest `.books/` at or
 * above `cwd`. Outside those runtimes the environment is returned unchanged.
 */
export function withLocalStack(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): Readonly<Record<string, string | undefined>> {
  if (!isLocalRuntime(env)) return env;
  const home = env.BOOKS_HOME ? resolve(env.BOOKS_HOME) : findBooksHome(cwd);
  const file = join(home, 'stack.json');
  if (!existsSync(file)) {
    throw new BooksError(
      'NO_LOCAL_STACK',
      `no embedded stack is running (${file} is missing): start it with  pnpm books stack up  (or  pnpm dev)`,
    );
  }
  const state = StackStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const stage = state.stage ?? 'local';
  return {
    ...env,
    BOOKS_HOME: home,
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
    BOOKS_FLOW_FLAGS: `file:${join(home, `flow-flags.${stage}.json`)}`,
    // Beside the flow flags, as `books pause|halt` writes them on the embedded stage.
    BOOKS_CONTROLS: `file:${join(home, `controls.${stage}.json`)}`,
    // No EventBridge on the embedded stack: events stay in the outbox's audit, published nowhere
    // (the in-process bus lives in the one-process runner, `books run`).
    BOOKS_EVENT_BUS_NAME: undefined,
    // A function invokes another only through a local Lambda endpoint (serverless-offline's).
    BOOKS_RECONCILER_FUNCTION: isLoopback(env.AWS_ENDPOINT_URL_LAMBDA)
      ? env.BOOKS_RECONCILER_FUNCTION
      : undefined,
  };
}

function isLoopback(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(url);
}

/**
 * The clock of a local function (an environment `withLocalStack` produced): the instant in
 * `<home>/simulated-clock.json`, read at every call so that a long-running serverless-offline
 * follows each `books run --via-offline` day, or the system time while there is no such file.
 * Undefined outside local runtimes.
 */
export function localClock(env: Readonly<Record<string, string | undefined>>): Clock | undefined {
  if (!isLocalRuntime(env) || !env.BOOKS_HOME) return undefined;
  const file = join(env.BOOKS_HOME, SIMULATED_CLOCK_FILE);
  return {
    now() {
      if (!existsSync(file)) return new Date();
      return new Date(SimulatedClockSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).now);
    },
  };
}

/** `.books` of the nearest directory at or above `cwd` that has one (bundles run from a subfolder). */
function findBooksHome(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.books', 'stack.json'))) return join(dir, '.books');
    if (dirname(dir) === dir) return join(resolve(cwd), '.books');
  }
}
