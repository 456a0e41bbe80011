import { errorMessage } from '@books/core';
import { booksHome, formatStatus, stackStatus, stackUp, stopRecordedStack } from '@books/local';
import type { Command } from 'commander';
import * as z from 'zod';
import { formatSampleBars } from '../format';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface StackUpArgs {
  readonly home: string;
  readonly stage: string;
  readonly inMemory: boolean;
}

/**
 * `books stack up` (`@books/local`'s stackUp): exit 0 when the stack runs (started or reused), 1
 * when it could not start. The sample bars the functions read under `sls invoke local` exist after it.
 */
export async function runStackUp(args: StackUpArgs, io: Output): Promise<number> {
  try {
    const status = await stackUp({ ...args, nowMs: () => Date.now() }, (event) => {
      if (event.kind === 'sample-bars-generated') io.out(formatSampleBars(event));
      else
        io.out(
          event.reused
            ? 'stack: already running, reused\n'
            : `stack: started in ${(event.elapsedMs / 1000).toFixed(1)} s\n`,
        );
    });
    io.out(formatStatus(status));
    return 0;
  } catch (e) {
    io.err(`books stack up: ${errorMessage(e)}\n`);
    return 1;
  }
}

/** `books stack down`: exit 0 when nothing of the stack runs any more. */
export async function runStackDown(args: { readonly home: string }, io: Output): Promise<number> {
  try {
    const stopped = await stopRecordedStack(args.home);
    io.out(
      stopped === undefined
        ? `stack: not running (no stack recorded under ${args.home})\n`
        : `stack: stopped dynamodb (pid ${stopped.dynamodb.pid}) and sqs (pid ${stopped.sqs.pid})\n`,
    );
    return 0;
  } catch (e) {
    io.err(`books stack down: ${errorMessage(e)}\n`);
    return 1;
  }
}

/** `books stack status`: exit 0 when running and answering, 3 when stopped or degraded. */
export async function runStackStatus(
  args: { readonly home: string; readonly json: boolean },
  io: Output,
): Promise<number> {
  try {
    const status = await stackStatus({ home: args.home });
    io.out(args.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    return status.state === 'running' ? 0 : 3;
  } catch (e) {
    io.err(`books stack status: ${errorMessage(e)}\n`);
    return 1;
  }
}

const UpOptionsSchema = z.object({
  stage: z.string().regex(/^[a-z0-9-]{1,32}$/, 'stage: lower-case letters, digits, "-"'),
  inMemory: z.boolean().optional(),
});
const StatusOptionsSchema = z.object({ json: z.boolean().optional() });

const stdio: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description(
      'The embedded stack: DynamoDB Local and fauxqs (SQS) with the tables and queues of serverless.yml; state in $BOOKS_HOME or .books/',
    );
  stack
    .command('up')
    .description('Start the stack (or reuse the running one) and create the stage resources')
    .option('--stage <stage>', 'whose serverless.yml resources to create', 'local')
    .option('--in-memory', 'keep nothing on disk (default: data persists under .books/)')
    .action(async (raw: unknown, command: Command) => {
      const opts = UpOptionsSchema.safeParse(raw);
      if (!opts.success) command.error(`books stack up: ${opts.error.message}`, { exitCode: 2 });
      else
        process.exitCode = await runStackUp(
          { home: booksHome(), stage: opts.data.stage, inMemory: opts.data.inMemory === true },
          stdio,
        );
    });
  stack
    .command('down')
    .description('Stop the stack by pid')
    .action(async () => {
      process.exitCode = await runStackDown({ home: booksHome() }, stdio);
    });
  stack
    .command('status')
    .description('What runs: processes, endpoints, tables and queues with message counts')
    .option('--json', 'print the status as JSON')
    .action(async (raw: unknown, command: Command) => {
      const opts = StatusOptionsSchema.safeParse(raw);
      if (!opts.success) command.error(`books stack status: ${opts.error.message}`, { exitCode: 2 });
      else
        process.exitCode = await runStackStatus({ home: booksHome(), json: opts.data.json === true }, stdio);
    });
}
