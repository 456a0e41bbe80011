import type { Command } from 'commander';
import { registerEval } from './eval';
import { registerStack } from './stack';

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand, in the order `books --help` lists them. */
export const commands: readonly RegisterCommand[] = [registerEval, registerStack];
