import { compile } from '@books/dsl';

type Compiled = ReturnType<typeof compile>;

/** Enough for every strategy of a stage; the oldest entry goes first beyond it. */
const MAX_ENTRIES = 512;
const compiled = new Map<string, Compiled>();

/**
 * `compile(source, file)` once per file name and content per process (a Lambda container keeps it
 * across warm invocations): the key holds the whole source, so an edited file compiles again and
 * two files never share a result. The result is shared between callers: read it, never change it.
 */
export function compileOnce(source: string, file: string): Compiled {
  const key = `${file}\u0000${source}`;
  const known = compiled.get(key);
  if (known !== undefined) return known;
  const result = compile(source, file);
  if (compiled.size >= MAX_ENTRIES) {
    const oldest = compiled.keys().next();
    if (!oldest.done) compiled.delete(oldest.value);
  }
  compiled.set(key, result);
  return result;
}
