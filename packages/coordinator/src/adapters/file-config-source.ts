import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BooksConfig, parseBooksConfig, ValidationError } from '@books/core';
import type { ConfigSource } from '../ports';

/** `strategies/config.<stage>.json` (or the file given), its strategy files beside it. */
export class FileConfigSource implements ConfigSource {
  constructor(
    private readonly strategiesDir: string,
    private readonly configFile: string,
  ) {}

  async load(): Promise<BooksConfig> {
    const path = join(this.strategiesDir, this.configFile);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ValidationError(
        `invalid strategy configuration ${path}: ${why}`,
        [{ path: '', message: why }],
        {
          source: path,
        },
      );
    }
    return parseBooksConfig(json, {
      source: path,
      fileExists: (file) => existsSync(join(this.strategiesDir, file)),
    });
  }
}
