import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../src';

/** docs/dsl.md lists every code the engine can produce, and the engine produces no other. */
const docs = readFileSync(path.resolve(__dirname, '../../../docs/dsl.md'), 'utf8');
const documented = new Set([...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error codes', () => {
  it.each(ERROR_CODES)('%s is documented in docs/dsl.md', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no code the engine does not have', () => {
    expect([...documented].filter((c) => !(ERROR_CODES as readonly string[]).includes(c as string))).toEqual(
      [],
    );
  });

  it('raises only listed codes (every code literal in the sources is one of ERROR_CODES)', () => {
    const used = new Set<string>();
    for (const file of sources(path.resolve(__dirname, '../src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:Failure|fail|report)\(\s*'([A-Z_]+)'/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((c) => !(ERROR_CODES as readonly string[]).includes(c))).toEqual([]);
  });
});
