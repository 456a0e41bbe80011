import * as z from 'zod';

/**
 * A value built on its first use, then kept. For zod schemas a cold start may never need: every
 * schema built at module load costs the load (a bundle's share of them is a sixth of its load
 * CPU), though an invocation reads few of them. Build the large ones that a function's first
 * invocation does not read lazily: `const NodeSchema = lazySchema(() => z.object(...))`, used as
 * `NodeSchema().parse(x)`.
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/**
 * A schema built on its first use, for a schema a package exports (its callers parse with it,
 * nest it, or infer its types): a zod schema itself (`z.lazy`), with the same parse results,
 * errors and input / output types as the schema `build` returns. `build` runs once (lazySchema):
 * at the first parse, or at the first `.unwrap()`, which gives the built schema (to compose it
 * into another one, or to read its `shape`). A schema only its module reads is a lazySchema.
 */
export function deferredSchema<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  return z.lazy(lazySchema(build));
}
