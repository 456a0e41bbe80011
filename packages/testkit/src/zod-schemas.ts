import type * as z from 'zod';

/**
 * Counting the zod schemas a module builds as it loads, for the tests that keep a package's schemas
 * built at their first use (core's lazySchema, deferredSchema) rather than at load.
 *
 * The count rides on a zod-internal hook: every schema zod constructs is handed to
 * `globalThis.__zod_globalConfig.postProcessor`, read afresh at each construction (it is how
 * `zod/compile` installs itself). Checked at the pinned zod 4.6.7; re-check it on a zod upgrade
 * (a hook that is gone counts 0 and the tests' exact counts fail).
 */

const GLOBAL_CONFIG = '__zod_globalConfig';

/** Modules loaded afresh by loadCountingZodSchemas, with the count of the schemas built since. */
export interface CountingZodSchemas<D, T> {
  /** What `dependencies` returned: the dependencies as loaded afresh. */
  readonly dependencies: D;
  /** What `load` returned: the modules under test as loaded afresh. */
  readonly loaded: T;
  /** The zod schemas constructed since the dependencies were loaded (the loads' and every later one). */
  readonly built: () => number;
  /** How many of the values these modules export are lazy wrappers (`z.lazy`). */
  readonly lazyExports: (...modules: readonly object[]) => number;
}

/**
 * Loads modules afresh (`jest.isolateModules`, so with a fresh zod): first `dependencies`, whose
 * schemas are not counted, then `load`, counting every zod schema constructed from then on. Both
 * callbacks `require` the modules themselves, so a relative path resolves from the test file.
 * Pair with `afterEach(stopCountingZodSchemas)`.
 */
export function loadCountingZodSchemas<D, T>(dependencies: () => D, load: () => T): CountingZodSchemas<D, T> {
  let loaded: CountingZodSchemas<D, T> | undefined;
  jest.isolateModules(() => {
    const deps = dependencies();
    let built = 0;
    // zod hands each schema it constructs to its global post-processor.
    Reflect.set(globalThis, GLOBAL_CONFIG, {
      postProcessor: () => {
        built += 1;
      },
    });
    const modules = load();
    // The zod the modules loaded (already in this isolated registry: requiring it builds nothing).
    const zod: typeof z = require('zod');
    loaded = {
      dependencies: deps,
      loaded: modules,
      built: () => built,
      lazyExports: (...of) =>
        of.flatMap((m) => Object.values(m)).filter((v) => v instanceof zod.ZodLazy).length,
    };
  });
  if (!loaded) throw new Error('the modules were not loaded');
  return loaded;
}

/** Removes the counting post-processor (and the global config it replaced): an `afterEach`. */
export function stopCountingZodSchemas(): void {
  Reflect.deleteProperty(globalThis, GLOBAL_CONFIG);
}
