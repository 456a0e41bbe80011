import {
  booksHome,
  DEFAULT_LAMBDA_PORT,
  type DevLoopEvent,
  type DevLoopOutcome,
  runDevLoop,
} from '@books/local';
import type { Command } from 'commander';
import * as z from 'zod';
import { formatSampleBars, type Output } from '../format';

const port = z.coerce.number().int().min(1).max(65535);
const DevOptionsSchema = z.object({
  stage: z.string().regex(/^[a-z0-9-]{1,32}$/, 'stage: lower-case letters, digits, "-"'),
  lambdaPort: port,
  httpPort: port,
  reload: z.boolean(),
});

function sayDevEvent(event: DevLoopEvent, io: Output): void {
  switch (event.kind) {
    case 'sample-bars-generated':
      io.out(formatSampleBars(event));
      return;
    case 'stack-ready':
      io.out(
        `stack: ${event.reused ? 'reused the running one' : 'started'} (dynamodb ${event.endpoints.dynamodb}, sqs ${event.endpoints.sqs})\n`,
      );
      return;
    case 'offline-starting':
      io.out('serverless-offline: bundling the functions and starting…\n');
      return;
    case 'serving':
      io.out(
        [
          `serverless-offline: Lambda endpoint ${event.offlineEndpoint} (pid ${event.offlinePid}, log ${event.offlineLog})`,
          `poller: ${event.queueUrl} → ${event.consumer} through offline`,
          `logs: ${event.logFile}`,
          `In another terminal:  pnpm books run --via-offline [--date YYYY-MM-DD]${event.lambdaPort === 3002 ? '' : ` --lambda-port ${event.lambdaPort}`}`,
          'Ctrl-C stops.',
          '',
        ].join('\n'),
      );
  }
}

/** Says why the loop ended and what stopped; the exit code. */
function endDevLoop(outcome: DevLoopOutcome, io: Output): number {
  let code = 0;
  if (outcome.kind === 'other-stage') {
    io.err(
      `books dev: the running stack serves stage ${outcome.running}; run with --stage ${outcome.running}\n`,
    );
    code = 2;
  } else if (outcome.kind === 'offline-exited') {
    io.err(
      `books dev: serverless-offline exited (${JSON.stringify(outcome.exit)}); see ${outcome.offlineLog}\n`,
    );
    code = 1;
  } else if (outcome.kind === 'failed') {
    io.err(`books dev: ${outcome.message}\n`);
    code = 1;
  }
  const stack =
    outcome.stack === 'none'
      ? ''
      : outcome.stack === 'reused'
        ? '; the stack stays up (it was running before)'
        : ' and the stack';
  io.out(`stopped: serverless-offline${stack}\n`);
  return code;
}

/** `books dev` (`pnpm dev`): the local development loop (`@books/local`'s runDevLoop), until Ctrl-C. */
export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'the local development loop: embedded stack + serverless-offline (functions on its Lambda endpoint) + the execution queue delivered through it, until Ctrl-C',
    )
    .option('--stage <stage>', 'the stage whose resources and strategies/config.<stage>.json to use', 'local')
    .option('--lambda-port <port>', "serverless-offline's Lambda endpoint port", String(DEFAULT_LAMBDA_PORT))
    .option('--http-port <port>', "serverless-offline's HTTP port", '3000')
    .option('--no-reload', "keep the first bundle (default: a change to a package's source rebundles)")
    .action(async (raw: unknown, command: Command) => {
      const opts = DevOptionsSchema.safeParse(raw);
      if (!opts.success) {
        command.error(`books dev: ${opts.error.message}`, { exitCode: 2 });
        return;
      }
      const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const outcome = await runDevLoop({ home: booksHome(), ...opts.data, signal: stop.signal }, (event) =>
          sayDevEvent(event, io),
        );
        process.exitCode = endDevLoop(outcome, io);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
