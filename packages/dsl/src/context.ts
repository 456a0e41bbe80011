import type { Span } from './ast';
import { type ErrorCode, Failure } from './errors';
import type { Market } from './market';
import type { Outcome, Value } from './values';

/** A planned form: its value as of the close of calendar day `day` (-1: before any bar). */
export type Evaluator = (ctx: Context, day: number) => Outcome;

/**
 * The mutable state of one evaluation session over one market: memoised block values per
 * (block, day), and the work counter of the current `evaluate` call.
 */
export class Context {
  steps = 0;
  maxSteps = 0;
  /** The as-of date of the current top-level evaluation and its calendar day. */
  asOf = '';
  asOfDay = -1;
  readonly blockMemo = new Map<number, (Outcome | undefined)[]>();

  constructor(
    readonly market: Market,
    /** Re-evaluates a block (AST node id) as of a day, memoised. */
    readonly blocks: ReadonlyMap<number, Evaluator>,
  ) {}

  /** The date a failure on `day` names: the as-of date itself for the day being evaluated. */
  dateOf(day: number): string {
    if (day === this.asOfDay) return this.asOf;
    return day < 0 ? `before ${this.market.calendar[0] ?? 'any bar'}` : (this.market.calendar[day] ?? '');
  }

  fail(code: ErrorCode, message: string, span: Span, form?: string, symbol?: string, day?: number): Failure {
    return new Failure(code, message, span, form, symbol, day === undefined ? undefined : this.dateOf(day));
  }

  /** The value of block `id` as of `day`, evaluated at most once per session (LIMIT is not kept). */
  blockAt(id: number, day: number): Outcome {
    const evaluator = this.blocks.get(id);
    if (evaluator === undefined) return new Failure('LIMIT', `unknown block ${id}`, NO_SPAN);
    return evaluator(this, day);
  }
}

export const NO_SPAN: Span = { line: 1, column: 1, offset: 0, end: 0 };

/** Wraps an evaluator with memoisation per (node, day); failures other than LIMIT are kept. */
export function memoised(id: number, evaluator: Evaluator): Evaluator {
  return (ctx, day) => {
    if (day < 0) return evaluator(ctx, day);
    let byDay = ctx.blockMemo.get(id);
    if (byDay === undefined) {
      byDay = new Array<Outcome | undefined>(ctx.market.calendar.length);
      ctx.blockMemo.set(id, byDay);
    }
    const hit = byDay[day];
    if (hit !== undefined) return hit;
    const v = evaluator(ctx, day);
    if (!(v instanceof Failure && v.code === 'LIMIT')) byDay[day] = v;
    return v;
  };
}

export type { Value };
