#!/usr/bin/env node
import { commands } from './commands';
import { exitWith, runCli } from './program';

/** `books` from the sources (`pnpm books`): every subcommand, each loaded only when it runs. */
exitWith(runCli(process.argv, commands));
