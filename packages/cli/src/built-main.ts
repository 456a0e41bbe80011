import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspaceRoot } from '@books/local';
import { authorCommands } from './commands/author';
import { commandNameOf, exitWith, runCli } from './program';

/**
 * The entry of the built `books` executable (scripts/build-cli.mjs bundles it; scripts/books runs
 * it). The author's commands run here, from the bundle; any other command (the operator's, which
 * start the stack and spawn files next to their sources) and `--help` run from the sources, as
 * `pnpm books` does, in a child process with the same arguments, standard streams and exit code.
 */
const name = commandNameOf(process.argv);
if (authorCommands.some((m) => name !== undefined && m.names.includes(name)))
  exitWith(runCli(process.argv, authorCommands));
else fromSources(process.argv.slice(2));

function fromSources(args: readonly string[]): void {
  // The build defines BOOKS_BUILT_FROM as the workspace it bundled, wherever the bundle is written.
  const root = process.env.BOOKS_BUILT_FROM ?? workspaceRoot(__dirname);
  const tsx = createRequire(join(root, 'package.json')).resolve('tsx');
  const main = join(root, 'packages', 'cli', 'src', 'main.ts');
  const child = spawn(process.execPath, ['--import', pathToFileURL(tsx).href, main, ...args], {
    stdio: 'inherit',
  });
  // The terminal signals the whole process group; a `kill <pid>` of this process is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      if (signal !== 'SIGINT') child.kill(signal);
    });
  child.on('exit', (code, signal) =>
    process.exit(code ?? (signal === null ? 1 : 128 + constants.signals[signal])),
  );
}
