import { join } from 'node:path';
import type { StrategyId } from '@books/core';
import { readBooksConfigFile } from '@books/runtime';
import type { ReconcileConfigSource } from '../ports';

/** The strategies of `strategies/config.<stage>.json` (or the file given), read at each reconciliation. */
export class FileStrategyIds implements ReconcileConfigSource {
  constructor(
    private readonly strategiesDir: string,
    private readonly configFile: string,
  ) {}

  async strategyIds(): Promise<readonly StrategyId[]> {
    const config = readBooksConfigFile(join(this.strategiesDir, this.configFile));
    return config.strategies.map((s) => s.id);
  }
}
