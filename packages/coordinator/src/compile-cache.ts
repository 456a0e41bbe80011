import { BoundedMemo } from '@books/core';
import { compile } from '@books/dsl';

/** Enough for every strategy of a stage; the oldest entry goes first beyond it. */
const compiled = new BoundedMemo<ReturnType<typeof compile>>(512);

/**
 * `compile(source, file)` once per file name and content per process (a Lambda container keeps it
 * across warm invocations): the key holds the whole source, so an edited file compiles again and
 * two files never share a result. The result is shared between callers: read it, never change it.
 */
export function compileOnce(source: string, file: string): ReturnType<typeof compile> {
  return compiled.get(`${file}\u0000${source}`, () => compile(source, file));
}
