import type { Command } from 'commander';
import { registerEval } from './eval';
import { registerRun } from './run';
import { registerStack } from './stack';

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand, in the order `books --help` lists them. */
export const commands: readonly RegisterCommand[] = [registerRun, registerEval, registerStack];
