import { readFileSync } from 'node:fs';
import { type BooksConfig, parseBooksConfig } from '@books/core';

/**
 * A stage's configuration file, parsed once per content per process (a Lambda container, a
 * backtest): each call reads the file, and parses it again only when its text changed, so an
 * edited file is seen at the next call while a day's several readers share one parse.
 */
const parsed = new Map<string, { readonly text: string; readonly config: BooksConfig }>();

/**
 * Reads and parses the configuration file at `path` (parseBooksConfig, every rule checked). A
 * parse remembered for the same text is returned only if every strategy file still exists when
 * `fileExists` is given; otherwise the file is parsed again, reporting what is missing. Read and
 * JSON errors are thrown as they come; an invalid configuration is parseBooksConfig's error.
 */
export function readBooksConfigFile(path: string, fileExists?: (file: string) => boolean): BooksConfig {
  const text = readFileSync(path, 'utf8');
  const known = parsed.get(path);
  if (
    known !== undefined &&
    known.text === text &&
    (fileExists === undefined || known.config.strategies.every((s) => fileExists(s.file)))
  )
    return known.config;
  const config = parseBooksConfig(JSON.parse(text), {
    source: path,
    ...(fileExists === undefined ? {} : { fileExists }),
  });
  parsed.set(path, { text, config });
  return config;
}
