import type { Program } from './ast';
import { type DslError, Failure, type Result, toDslError } from './errors';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { read } from './reader';
import { fromEdn, fromJson } from './score/locate';
import { scoreToProgram } from './score/to-program';

const BYTE_ORDER_MARK = '\uFEFF';

/** The three forms a strategy file may take. */
export type SourceFormat = 'clj' | 'edn-score' | 'json-score';

/**
 * Which form `source` is in, from its first token: `(`… is the strategy language; `{` opens a
 * Composer score tree, in JSON when a string key (or `}`) follows, else in EDN (`{:step :root …}`).
 */
export function formatOf(source: string): SourceFormat {
  let i = 0;
  const skip = () => {
    while (i < source.length) {
      const c = source[i] as string;
      if (c === ';') while (i < source.length && source[i] !== '\n') i++;
      else if (c === ',' || c.trim() === '') i++;
      else return;
    }
  };
  skip();
  if (source[i] !== '{') return 'clj';
  i++;
  skip();
  return source[i] === '"' || source[i] === '}' ? 'json-score' : 'edn-score';
}

/**
 * Reads a strategy file in any of its forms into a program of the strategy language: the
 * `(defsymphony …)` text as it is, a score tree converted to the equivalent defsymphony form (whose
 * nodes carry the tree's line:column). The checker and planner then treat both alike.
 * A leading UTF-8 byte-order mark (as some editors save) is not part of the text: it is dropped,
 * and lines and columns count from the character after it.
 */
export function readStrategy(
  text: string,
  file: string,
  limits: Limits = DEFAULT_LIMITS,
): Result<Program, DslError[]> {
  const source = text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
  const format = formatOf(source);
  if (format === 'clj') {
    const program = read(source, file, limits);
    return program.ok ? program : { ok: false, error: [program.error] };
  }
  if (format === 'json-score') {
    if (source.length > limits.maxSourceChars) {
      const f = new Failure(
        'LIMIT',
        `the file has ${source.length} characters, more than the limit of ${limits.maxSourceChars}`,
        { line: 1, column: 1, offset: 0, end: 0 },
      );
      return { ok: false, error: [toDslError(f, file)] };
    }
    const located = fromJson(source, file, limits);
    return located.ok ? scoreToProgram(located.value, file) : located;
  }
  const program = read(source, file, limits, { edn: true });
  if (!program.ok) return { ok: false, error: [program.error] };
  const [tree, extra] = program.value.forms;
  if (tree === undefined || extra !== undefined) {
    const at = extra ?? tree;
    const f = new Failure(
      'PARSE',
      'a score file holds one tree {:step :root …}',
      at?.span ?? { line: 1, column: 1, offset: 0, end: 0 },
    );
    return { ok: false, error: [toDslError(f, file)] };
  }
  const located = fromEdn(tree, file);
  return located.ok ? scoreToProgram(located.value, file) : located;
}
