import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBooksConfig, type StrategyId } from '@books/core';
import type { ReconcileConfigSource } from '../ports';

/** The strategies of `strategies/config.<stage>.json` (or the file given), read at each reconciliation. */
export class FileStrategyIds implements ReconcileConfigSource {
  constructor(
    private readonly strategiesDir: string,
    private readonly configFile: string,
  ) {}

  async strategyIds(): Promise<readonly StrategyId[]> {
    const path = join(this.strategiesDir, this.configFile);
    const config = parseBooksConfig(JSON.parse(await readFile(path, 'utf8')), { source: path });
    return config.strategies.map((s) => s.id);
  }
}
