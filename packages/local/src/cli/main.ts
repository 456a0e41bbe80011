#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { commands } from './commands';

/** `books`: the command line of Strategy Books. Each subcommand lives in its own file under commands/. */
async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('books')
    .description('Strategy Books: many strategies on one broker account, each an independent book')
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`books: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`books: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
