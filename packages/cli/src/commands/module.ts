import type { Command } from 'commander';

/** Registers one subcommand (or a few) on the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * A command file, loaded only when one of its commands runs: the top-level names it registers,
 * and a dynamic import of its registration (so its imports load with it, not at start).
 */
export interface CommandModule {
  readonly names: readonly string[];
  readonly load: () => Promise<RegisterCommand>;
}
