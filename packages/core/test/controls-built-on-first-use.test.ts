import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as Controls from '../src/controls';

/**
 * Every function loads core, and a function reads the trader controls at most once per invocation
 * (several never): the control schemas are built at their first parse (deferredSchema), not as core
 * loads.
 */

afterEach(stopCountingZodSchemas);

interface Loaded {
  readonly controls: typeof Controls;
  readonly built: () => number;
  /** The module's exported schemas that are lazy wrappers (`z.lazy`). */
  readonly lazyExports: number;
}

/** A fresh controls module (and a fresh zod), counting the schemas built once the modules it imports are loaded. */
function loadControls(): Loaded {
  const fresh = loadCountingZodSchemas(
    // What it imports first: their schemas are not the controls'.
    () => {
      require('../src/ids');
      require('../src/schemas');
      require('../src/lazy');
    },
    (): typeof Controls => require('../src/controls'),
  );
  return { controls: fresh.loaded, built: fresh.built, lazyExports: fresh.lazyExports(fresh.loaded) };
}

const note = { by: 'ann', at: '2026-11-24T15:00:00.000Z', reason: 'earnings' };

describe('the control schemas of a freshly loaded controls module', () => {
  it('are one lazy wrapper each as the module loads (note, book control, halt, document), none of their fields', () => {
    const { built, lazyExports } = loadControls();
    expect(lazyExports).toBe(4);
    expect(built()).toBe(lazyExports);
  });

  it('are built at the first parse of a document, then reused', () => {
    const { controls, built } = loadControls();
    const paused = { ...note, state: 'paused', id: 'req1' };
    const halt = { ...note, state: 'halted' };
    const doc = { halt, books: { momentum: paused } };
    const atLoad = built();
    const first = controls.ControlsDocumentSchema.parse(doc);
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(atLoad);
    expect(controls.ControlsDocumentSchema.parse(doc)).toEqual(first);
    expect(first).toEqual({ halt, books: { momentum: paused } });
    expect(controls.BookControlSchema.parse(paused)).toEqual(paused);
    expect(controls.AccountHaltSchema.parse(halt)).toEqual(halt);
    expect(controls.ControlsDocumentSchema.parse({})).toEqual({ books: {} });
    expect(built()).toBe(afterFirst);
    expect(() =>
      controls.BookControlSchema.parse({ ...note, reason: '', state: 'paused', id: 'req1' }),
    ).toThrow('a control needs a reason');
  });
});
