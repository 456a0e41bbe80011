import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as z from 'zod';

/**
 * Every function's bundle starts with a banner (serverless.yml, custom.esbuild.banner) that turns
 * zod's JIT off before zod loads: a cold function would otherwise compile a parser (`new Function`)
 * for each object schema it parses once. It relies on zod keeping a configuration already on
 * globalThis when it loads.
 */
const SERVERLESS_YML = path.resolve(__dirname, '../../../serverless.yml');

function bannerOfBundles(): string {
  const banner = /\n {4}banner:\n {6}js: "([^"\n]*)"\n/.exec(readFileSync(SERVERLESS_YML, 'utf8'))?.[1];
  if (banner === undefined) throw new Error('serverless.yml gives custom.esbuild no banner.js');
  return banner;
}

/** The number of functions compiled from strings while `work` runs (zod's JIT compiles its parsers so). */
function functionsCompiledDuring(work: () => void): number {
  const original = globalThis.Function;
  let compiled = 0;
  globalThis.Function = new Proxy(original, {
    construct(target, args: unknown[]) {
      compiled += 1;
      return Reflect.construct(target, args);
    },
  });
  try {
    work();
  } finally {
    globalThis.Function = original;
  }
  return compiled;
}

/** A fresh zod module (its global configuration read as it loads), and one object schema parsed by it. */
function parseWithFreshZod(): { jitless: boolean | undefined; compiled: number } {
  let result: { jitless: boolean | undefined; compiled: number } | undefined;
  jest.isolateModules(() => {
    const fresh: typeof z = require('zod');
    const schema = fresh.object({ symbol: fresh.string(), qty: fresh.string().regex(/^\d+$/) });
    const compiled = functionsCompiledDuring(() => {
      expect(schema.parse({ symbol: 'SPY', qty: '3' })).toEqual({ symbol: 'SPY', qty: '3' });
      expect(schema.safeParse({ symbol: 'SPY', qty: 'x' }).success).toBe(false);
    });
    result = { jitless: fresh.config().jitless, compiled };
  });
  if (!result) throw new Error('zod was not loaded');
  return result;
}

describe("the bundles' zod banner", () => {
  afterEach(() => {
    Reflect.deleteProperty(globalThis, '__zod_globalConfig');
  });

  it('turns zod jitless when it runs before zod loads: object schemas parse without compiling code', () => {
    // As the bundle runs it: a script in this realm, before zod's module.
    Function(bannerOfBundles())();
    expect(parseWithFreshZod()).toEqual({ jitless: true, compiled: 0 });
  });

  it('is what keeps the JIT off: a zod loaded without it compiles a parser at the first parse', () => {
    Reflect.deleteProperty(globalThis, '__zod_globalConfig');
    const { jitless, compiled } = parseWithFreshZod();
    expect(jitless).toBeUndefined();
    expect(compiled).toBeGreaterThan(0);
  });
});
