import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '@books/core';
import { check, format, formatDslError, formatOf, readStrategy } from '@books/dsl';
import type { Command } from 'commander';
import * as z from 'zod';
import type { Output } from './eval';

export interface ImportArgs {
  /** A Composer score tree, EDN (`{:step :root …}`) or JSON (`{"step": "root", …}`). */
  readonly file: string;
  /** Where to write the `.clj`; `-` for standard output; default FILE with the extension `.clj`. */
  readonly out?: string;
  /** Replace an existing output file. */
  readonly force: boolean;
}

/**
 * `books import`: a Composer score tree → the equivalent `(defsymphony …)` strategy, formatted.
 * The result is checked like any strategy before it is written, so a file that is written compiles.
 * Exit codes: 0 written, 1 unreadable input, a score or check error, or an unwritable output,
 * 2 usage (not a score tree, or an output that exists without --force).
 */
export async function runImport(args: ImportArgs, io: Output): Promise<number> {
  let source: string;
  try {
    source = await readFile(args.file, 'utf8');
  } catch (e) {
    io.err(`books import: cannot read ${args.file}: ${errorMessage(e)}\n`);
    return 1;
  }
  if (formatOf(source) === 'clj') {
    io.err(`books import: ${args.file} is not a score tree ({:step :root …} or {"step": "root", …})\n`);
    return 2;
  }
  const program = readStrategy(source, args.file);
  const problems = program.ok ? check(program.value) : program.error;
  if (!program.ok || problems.length > 0) {
    for (const e of problems) io.err(`${formatDslError(e)}\n`);
    return 1;
  }
  const form = program.value.forms[0];
  if (form === undefined) return 1;
  const text = `${format(form)}\n`;
  if (args.out === '-') {
    io.out(text);
    return 0;
  }
  const out = args.out ?? path.join(path.dirname(args.file), `${path.parse(args.file).name}.clj`);
  if (path.resolve(out) === path.resolve(args.file)) {
    io.err(`books import: the output ${out} is the input itself: give --out\n`);
    return 2;
  }
  if (!args.force && existsSync(out)) {
    io.err(`books import: ${out} exists: give --force to replace it, or --out\n`);
    return 2;
  }
  try {
    await writeFile(out, text, 'utf8');
  } catch (e) {
    io.err(`books import: cannot write ${out}: ${errorMessage(e)}\n`);
    return 1;
  }
  io.out(`${out}\n`);
  return 0;
}

const OptionsSchema = z.object({ out: z.string().min(1).optional(), force: z.boolean().optional() });

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Convert a Composer score tree (EDN or JSON) into the equivalent .clj strategy')
    .argument('<file>', 'the score tree file ({:step :root …} or {"step": "root", …})')
    .option('--out <file>', 'where to write the .clj (- for standard output; default FILE.clj)')
    .option('--force', 'replace an existing output file')
    .action(async (file: string, raw: unknown, command: Command) => {
      const opts = OptionsSchema.safeParse(raw);
      if (!opts.success) command.error(`books import: ${opts.error.message}`, { exitCode: 2 });
      else {
        const io: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
        const { out, force } = opts.data;
        process.exitCode = await runImport(
          { file, ...(out === undefined ? {} : { out }), force: force === true },
          io,
        );
      }
    });
}
