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
