import { Failure } from './errors';

/**
 * An ordered map symbol → weight, remembering the block (AST node id) that produced it, or -1.
 * Treated as immutable once built.
 */
export class Fragment {
  constructor(
    readonly weights: ReadonlyMap<string, number>,
    readonly block: number,
  ) {}

  get isEmpty(): boolean {
    return this.weights.size === 0;
  }

  total(): number {
    let sum = 0;
    for (const w of this.weights.values()) sum += w;
    return sum;
  }

  /** The alphabetically smallest symbol (filter tie-break); '' when empty. */
  smallestSymbol(): string {
    let best: string | undefined;
    for (const s of this.weights.keys()) if (best === undefined || s < best) best = s;
    return best ?? '';
  }
}

export const EMPTY_FRAGMENT = new Fragment(new Map(), -1);

/** A runtime value: a ticker (or name), a number, a boolean, a fragment or a list. */
export type Value = string | number | boolean | Fragment | readonly Value[];
export type Outcome<T = Value> = T | Failure;

export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

/** While `v` is a one-element list, take the element. */
export function unwrap(v: Value): Value {
  let x = v;
  while (Array.isArray(x) && x.length === 1) x = x[0] as Value;
  return x;
}

/** Adds `scale · weights` of `from` into `into`, keeping first-seen order. */
export function addScaled(into: Map<string, number>, from: ReadonlyMap<string, number>, scale: number): void {
  for (const [s, w] of from) into.set(s, (into.get(s) ?? 0) + w * scale);
}

/** Adds `scale · norm(f)`; a fragment whose weights sum to 0 adds nothing. */
export function addNormalised(into: Map<string, number>, f: Fragment, scale: number): void {
  const total = f.total();
  if (total === 0) return;
  addScaled(into, f.weights, scale / total);
}

export function isFailure(x: unknown): x is Failure {
  return x instanceof Failure;
}
