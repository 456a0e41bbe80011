import { booksHome, DEFAULT_LAMBDA_PORT, runDevLoop } from '@books/local';
import type { Command } from 'commander';
import * as z from 'zod';
import { sampleBars } from './run';

const port = z.coerce.number().int().min(1).max(65535);
const DevOptionsSchema = z.object({
  stage: z.string().regex(/^[a-z0-9-]{1,32}$/, 'stage: lower-case letters, digits, "-"'),
  lambdaPort: port,
  httpPort: port,
  reload: z.boolean(),
});

/** `books dev` (`pnpm dev`): the local development loop, until Ctrl-C. */
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
      // The offline functions read the stack home's sample bars (the local overlay's BOOKS_BARS).
      sampleBars(booksHome(), io);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        process.exitCode = await runDevLoop({ home: booksHome(), ...opts.data, signal: stop.signal }, io);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
