import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BooksConfig, ValidationError } from '@books/core';
import { readBooksConfigFile } from '@books/runtime';
import type { ConfigSource } from '../ports';

/** `strategies/config.<stage>.json` (or the file given), its strategy files beside it. */
export class FileConfigSource implements ConfigSource {
  constructor(
    private readonly strategiesDir: string,
    private readonly configFile: string,
  ) {}

  /** Parsed once per content of the file per process (readBooksConfigFile). */
  async load(): Promise<BooksConfig> {
    const path = join(this.strategiesDir, this.configFile);
    try {
      return readBooksConfigFile(path, (file) => existsSync(join(this.strategiesDir, file)));
    } catch (e) {
      // An invalid configuration is reported as parsed; a file that cannot be read or is not JSON, as here.
      if (e instanceof ValidationError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new ValidationError(
        `invalid strategy configuration ${path}: ${why}`,
        [{ path: '', message: why }],
        {
          source: path,
        },
      );
    }
  }
}
