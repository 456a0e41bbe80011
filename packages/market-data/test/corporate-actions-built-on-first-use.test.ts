import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as CorporateActions from '../src/corporate-actions';

/**
 * Every function bundles the corporate-actions module (the simulated broker and the bar stores
 * read the file), and most never parse the file on a cold start: its schemas are built at their
 * first parse (deferredSchema, lazySchema), not as the module loads. (The package's index also
 * loads the sample actions, which parse at load where a bundle keeps them: none of the functions'.)
 */

afterEach(stopCountingZodSchemas);

interface Loaded {
  readonly actions: typeof CorporateActions;
  readonly built: () => number;
  /** The module's exported schemas that are lazy wrappers (`z.lazy`). */
  readonly lazyExports: number;
}

/** A fresh corporate-actions module (and a fresh zod), counting the schemas built once its dependencies are loaded. */
function loadCorporateActions(): Loaded {
  const fresh = loadCountingZodSchemas(
    // Its dependencies first: their schemas are not the module's.
    () => {
      require('@books/core');
      require('../src/bar-store');
    },
    (): typeof CorporateActions => require('../src/corporate-actions'),
  );
  return { actions: fresh.loaded, built: fresh.built, lazyExports: fresh.lazyExports(fresh.loaded) };
}

const FILE = JSON.stringify({
  dividends: [
    {
      symbol: 'SPY',
      exDate: '2025-09-19',
      recordDate: '2025-09-19',
      payDate: '2025-10-31',
      amountPerShare: '1.75',
    },
  ],
  splits: [{ symbol: 'QQQ', exDate: '2025-08-20', from: '1', to: '2' }],
});

describe('the corporate-actions schemas of a freshly loaded module', () => {
  it('are one lazy wrapper each as the module loads (dividend, split, cash event, file), none of their fields', () => {
    const { built, lazyExports } = loadCorporateActions();
    expect(lazyExports).toBe(4);
    expect(built()).toBe(lazyExports);
  });

  it('are built at the first parse of the file, then reused', () => {
    const { actions, built } = loadCorporateActions();
    const atLoad = built();
    const first = actions.parseCorporateActions(FILE, 'corporate-actions.json');
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(atLoad);
    expect(actions.parseCorporateActions(FILE, 'corporate-actions.json')).toEqual(first);
    expect(first.cash).toEqual([]);
    expect(built()).toBe(afterFirst);
    expect(() =>
      actions.parseCorporateActions(FILE.replace('"to":"2"', '"to":"0"'), 'corporate-actions.json'),
    ).toThrow('splits.0.to: must be positive');
  });
});
