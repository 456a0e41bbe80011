import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileOnce } from '../src/compile-cache';

const momentum = readFileSync(path.resolve(__dirname, '../../../strategies/momentum.clj'), 'utf8');
const symbolsOf = (r: ReturnType<typeof compileOnce>) => (r.ok ? r.value.symbols : []);

describe('compileOnce', () => {
  it('compiles a file once per content: the same text gives the same result', () => {
    const first = compileOnce(momentum, 'cache-a.clj');
    expect(first.ok).toBe(true);
    expect(compileOnce(momentum, 'cache-a.clj')).toBe(first);
  });

  it('compiles again when the file changed, and never shares a result between two files', () => {
    const before = compileOnce(momentum, 'cache-b.clj');
    const edited = momentum.replace(/"SPY"/g, '"QQQ"');
    expect(edited).not.toBe(momentum);
    const after = compileOnce(edited, 'cache-b.clj');
    expect(after).not.toBe(before);
    expect(symbolsOf(after)).not.toEqual(symbolsOf(before));
    expect(compileOnce(momentum, 'cache-c.clj')).not.toBe(before);
  });

  it('remembers a failed compile as failed', () => {
    const broken = compileOnce('(defsymphony', 'cache-broken.clj');
    expect(broken.ok).toBe(false);
    expect(compileOnce('(defsymphony', 'cache-broken.clj')).toBe(broken);
  });
});
