import { Command, CommanderError } from 'commander';
import type { CommandModule } from './commands/module';

/**
 * Runs the `books` program on argv (node, script, ...args) with the given command modules, and
 * returns the exit code. Only the module of the command named on the line is loaded (its imports
 * with it), so `books eval` never loads the stack or the AWS SDK; with no known command (`--help`,
 * a typo) every module is loaded, so the help and commander's suggestions list them all.
 */
export async function runCli(argv: readonly string[], modules: readonly CommandModule[]): Promise<number> {
  const program = new Command('books')
    .description('Strategy Books: many strategies on one broker account, each an independent book')
    .exitOverride()
    .showHelpAfterError();
  const name = commandNameOf(argv);
  const named = modules.filter((m) => name !== undefined && m.names.includes(name));
  const wanted = named.length > 0 ? named : modules;
  for (const register of await Promise.all(wanted.map((m) => m.load()))) register(program);
  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`books: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** The subcommand named on the line: the first argument after node and the script that is not an option. */
export function commandNameOf(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/** Exits with runCli's code, or 1 with the stack of an error it let through. */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`books: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
