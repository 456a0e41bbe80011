import type { CommandModule } from './module';

/**
 * The strategy author's commands: pure (a strategy file and bar CSVs in, text out; no stack, no
 * AWS SDK). The built executable (`scripts/books`, bundled by scripts/build-cli.mjs) runs these
 * itself and hands every other command to the sources.
 */
export const authorCommands: readonly CommandModule[] = [
  { names: ['eval'], load: async () => (await import('./eval')).registerEval },
  { names: ['import'], load: async () => (await import('./import')).registerImport },
];
