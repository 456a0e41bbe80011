/** Bounds that turn hostile input into a LIMIT error instead of a hang or a crash. */
export interface Limits {
  /** Largest source accepted, in UTF-16 code units. */
  readonly maxSourceChars: number;
  /**
   * Deepest nesting of brackets. The planner and the evaluator recurse once per level, and on
   * Node's default stack (Lambda's too) about 950 levels overflow while V8 still runs them
   * unoptimised (a cold start): the limit keeps a margin of about two.
   */
  readonly maxDepth: number;
  /** Most forms inside one bracket pair (list, vector or map). */
  readonly maxListItems: number;
  /** Node evaluations allowed for one `evaluate` call (block histories included). */
  readonly maxSteps: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxSourceChars: 8 * 1024 * 1024,
  maxDepth: 500,
  maxListItems: 10_000,
  maxSteps: 20_000_000,
};
