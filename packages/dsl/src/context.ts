import type { Span } from './ast';
import { type ErrorCode, Failure } from './errors';
import type { Market } from './market';
import type { TraceCollector } from './trace';
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
  /** Set by `Session.explain` for one evaluation; undefined (no cost) otherwise. */
  trace: TraceCollector | undefined = undefined;
  /** > 0 while a block's history is re-evaluated (block-mode filter): never traced. */
  historyDepth = 0;
  /** By block node id. */
  readonly blockMemo: (BlockMemo | undefined)[] = [];

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

  /** The collector when the form evaluated on `day` is on the traced path, else undefined. */
  tracing(day: number): TraceCollector | undefined {
    return day === this.asOfDay && this.historyDepth === 0 ? this.trace : undefined;
  }

  memoOf(id: number): BlockMemo {
    let memo = this.blockMemo[id];
    if (memo === undefined) {
      memo = new BlockMemo();
      this.blockMemo[id] = memo;
    }
    return memo;
  }

  /** The value of block `id` as of `day`, evaluated at most once per session (LIMIT is not kept). */
  blockAt(id: number, day: number): Outcome {
    const evaluator = this.blocks.get(id);
    if (evaluator === undefined) return new Failure('LIMIT', `unknown block ${id}`, NO_SPAN);
    return evaluator(this, day);
  }
}

export const NO_SPAN: Span = { line: 1, column: 1, offset: 0, end: 0 };

/** Values per calendar day, stored only over the span of days actually used. */
export class DayMemo<T> {
  private start = 0;
  private values: (T | undefined)[] = [];

  get(day: number): T | undefined {
    const i = day - this.start;
    return i >= 0 && i < this.values.length ? this.values[i] : undefined;
  }

  set(day: number, v: T): void {
    if (this.values.length === 0) this.start = day;
    else if (day < this.start) {
      this.values = new Array<T | undefined>(this.start - day).fill(undefined).concat(this.values);
      this.start = day;
    }
    const i = day - this.start;
    while (this.values.length < i) this.values.push(undefined);
    this.values[i] = v;
  }
}

/** What a session keeps per block: its value per day, and its daily return per day. */
export class BlockMemo {
  readonly values = new DayMemo<Outcome>();
  /** R on a day for the position held at the close of the previous day; NaN: no return. */
  readonly returns = new DayMemo<number>();
}

/**
 * Wraps an evaluator with memoisation per (node, day); failures other than LIMIT are kept. On the
 * traced path a kept value is recomputed (same inputs, same value) so that its decisions are traced.
 */
export function memoised(id: number, evaluator: Evaluator): Evaluator {
  return (ctx, day) => {
    if (day < 0) return evaluator(ctx, day);
    const memo = ctx.memoOf(id).values;
    const hit = memo.get(day);
    if (hit !== undefined && (ctx.trace === undefined || ctx.tracing(day) === undefined)) return hit;
    const v = evaluator(ctx, day);
    if (!(v instanceof Failure && v.code === 'LIMIT')) memo.set(day, v);
    return v;
  };
}

export type { Value };
