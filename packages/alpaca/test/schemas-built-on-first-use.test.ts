import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as Alpaca from '../src';

/**
 * Every function loads the Alpaca transport, and on the embedded stack none reads a base URL or a
 * key source on a cold start: their zod schemas are built at their first parse (deferredSchema),
 * not as the package loads. The latest-trades feed is the exception: every function's environment
 * reads it at load.
 */

afterEach(stopCountingZodSchemas);

interface Loaded {
  readonly alpaca: typeof Alpaca;
  readonly built: () => number;
  /** The package's exported schemas that are lazy wrappers (`z.lazy`). */
  readonly lazyExports: number;
}

/** A fresh package (and a fresh zod), counting the schemas built once its dependencies are loaded. */
function loadAlpaca(): Loaded {
  const fresh = loadCountingZodSchemas(
    // Its dependencies first: their schemas are not the package's.
    () => {
      require('@books/core');
    },
    (): typeof Alpaca => require('../src'),
  );
  return { alpaca: fresh.loaded, built: fresh.built, lazyExports: fresh.lazyExports(fresh.loaded) };
}

describe('the schemas of a freshly loaded Alpaca package', () => {
  it('are a lazy wrapper each (base URL, key source) and the feed enum as it loads, none of their parts', () => {
    const { built, lazyExports } = loadAlpaca();
    expect(lazyExports).toBe(2);
    expect(built()).toBe(lazyExports + 1);
  });

  it('build the key source at its first parse, then reuse it', () => {
    const { alpaca, built } = loadAlpaca();
    const atLoad = built();
    expect(alpaca.keySourceOf('/books/dev/alpaca')).toEqual({ source: 'ssm', prefix: '/books/dev/alpaca' });
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(atLoad);
    expect(alpaca.keySourceOf(undefined)).toEqual({ source: 'env' });
    expect(alpaca.KeySourceSchema.safeParse({ source: 'ssm', prefix: 'no-slash' }).success).toBe(false);
    expect(built()).toBe(afterFirst);
  });

  it('build the base URL at its first parse, then reuse it', () => {
    const { alpaca, built } = loadAlpaca();
    const atLoad = built();
    expect(alpaca.BaseUrlSchema.parse('https://paper-api.alpaca.markets//')).toBe(
      'https://paper-api.alpaca.markets',
    );
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(atLoad);
    expect(alpaca.BaseUrlSchema.safeParse('ftp://example.com').success).toBe(false);
    expect(built()).toBe(afterFirst);
  });
});
