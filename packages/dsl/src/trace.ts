import type { Span } from './ast';
import { Failure } from './errors';
import { type Ranked, rank, tied } from './ranking';
import { Fragment, type Value } from './values';

/**
 * The decision trace of one evaluation (`Session.explain`): which way each `if` went and why, how
 * each `filter` ranked its candidates, what each weighting gave, and the final targets.
 *
 * Contract:
 * - Only the evaluation as of the requested date is traced, along the path actually taken: the
 *   re-evaluations of a block's history (block-mode `filter`) and untaken branches are not.
 * - Tracing never changes a result: `explain(D).result` equals `evaluate(D)` for the same session.
 * - Positions are `line:column` in the strategy file (`Trace.file`); numbers are float64 values
 *   rounded to `TRACE_DIGITS` significant digits (a trace explains, it does not reproduce).
 * - Plain JSON (no Map, no class): stored as is by the ledger and printed by `formatTrace`.
 */
export interface Trace {
  readonly file: string;
  readonly date: string;
  /** The traced forms directly under the strategy's body, in evaluation order. */
  readonly nodes: readonly TraceNode[];
  /** The nodes were left out to fit the store (see ledger-client's trace item); the outcome is kept. */
  readonly truncated?: true;
  /** The final weights (decimal strings), or the failure that ended the evaluation. */
  readonly outcome:
    | { readonly weights: Readonly<Record<string, string>> }
    | { readonly error: { readonly code: string; readonly message: string; readonly at: string } };
}

export type TraceNode = IfTrace | FilterTrace | WeightTrace;

interface TraceNodeBase {
  /** `line:column` of the form. */
  readonly at: string;
  readonly children: readonly TraceNode[];
  /** The form's normalised weights; absent when it failed or gave no portfolio. */
  readonly weights?: Readonly<Record<string, number>>;
  /** The error code when the form failed. */
  readonly failed?: string;
}

export interface IfTrace extends TraceNodeBase {
  readonly kind: 'if';
  /** The comparison and its operands' values; absent when the condition failed. */
  readonly condition?: ComparisonTrace;
  readonly branch?: 'then' | 'else';
}

export interface ComparisonTrace {
  readonly op: string;
  readonly left: OperandTrace;
  readonly right: OperandTrace;
  readonly result: boolean;
}

export interface OperandTrace {
  /** The operand's source form, e.g. `(rsi "SPY" {:window 10})` or `70`. */
  readonly form: string;
  readonly value: number;
}

export interface FilterTrace extends TraceNodeBase {
  readonly kind: 'filter';
  /** e.g. `rsi 10`; `(window default)` marks a metric map without `:window`. */
  readonly metric: string;
  readonly select: string;
  readonly mode: 'asset' | 'block';
  /** In rank order; candidates that could not be scored last, in source order. */
  readonly candidates: readonly CandidateTrace[];
}

export interface CandidateTrace {
  /** The symbol, or the block: `group "NAME" @line:col` or `weight-equal @line:col`. */
  readonly label: string;
  /** null: dropped, too little history to score it. */
  readonly score: number | null;
  /** Block candidates: scored from the block's own history, or from today's holdings. */
  readonly basis?: 'history' | 'holdings';
  readonly selected: boolean;
  /** Its score ties (DSL.md tolerance) with the candidate ranked just before it. */
  readonly tied?: true;
}

export interface WeightTrace extends TraceNodeBase {
  readonly kind: 'group' | 'weight-equal' | 'weight-specified' | 'weight-inverse-volatility';
  /** A group's name. */
  readonly name?: string;
}

/** Significant digits kept of every number in a trace. */
export const TRACE_DIGITS = 8;

export function traceNumber(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(TRACE_DIGITS)) : x;
}

export function at(span: Span): string {
  return `${span.line}:${span.column}`;
}

/** What a traced form is, known when it is planned. */
export type TraceDetail =
  | { readonly kind: 'if' }
  | { readonly kind: 'filter'; readonly metric: string; readonly select: string }
  | { readonly kind: WeightTrace['kind']; readonly name?: string };

/** A comparison as recorded (raw numbers; rounded when the trace is built). */
export class RawComparison {
  constructor(
    readonly op: string,
    readonly leftForm: string,
    readonly left: number,
    readonly rightForm: string,
    readonly right: number,
    readonly result: boolean,
  ) {}
}

/** A filter's ranking as recorded: its candidates, ordered and labelled when the trace is built. */
export interface RawRanking {
  readonly mode: 'asset' | 'block';
  readonly scored: readonly Ranked<string | Fragment>[];
  readonly top: boolean;
  readonly kept: number;
  readonly unscored: readonly (string | Fragment)[];
  readonly bases: ReadonlyMap<Fragment, 'history' | 'holdings'> | undefined;
}

/** One traced form as recorded during evaluation: references only, no copying or rounding. */
class RawNode {
  readonly children: RawNode[] = [];
  value: Value | Failure | undefined = undefined;
  condition: RawComparison | undefined = undefined;
  branch: 'then' | 'else' | undefined = undefined;
  ranking: RawRanking | undefined = undefined;

  constructor(
    readonly span: Span,
    readonly detail: TraceDetail | undefined,
  ) {}
}

/**
 * Records the trace while an evaluation runs: each traced form opens a node, its traced
 * descendants land in it, closing it sets its value. Recording only keeps references (fragments
 * are immutable); `build` turns the recording into the plain `Trace` afterwards, so the cost paid
 * during evaluation stays small (`pnpm bench dsl` measures both).
 */
export class TraceCollector {
  private readonly root = new RawNode({ line: 1, column: 1, offset: 0, end: 0 }, undefined);
  private readonly stack: RawNode[] = [this.root];
  /** The last comparison evaluated on the traced path (taken by the enclosing `if`). */
  comparison: RawComparison | undefined = undefined;

  /** `blockLabels`: block node id → its name as a filter candidate (the plan's). */
  constructor(private readonly blockLabels: ReadonlyMap<number, string>) {}

  open(span: Span, detail: TraceDetail): void {
    const node = new RawNode(span, detail);
    (this.stack[this.stack.length - 1] as RawNode).children.push(node);
    this.stack.push(node);
  }

  /** The open `if` decided: its condition is the last comparison; no branch when none applies. */
  decided(branch: 'then' | 'else' | undefined): void {
    const node = this.stack[this.stack.length - 1] as RawNode;
    node.condition = this.comparison;
    node.branch = branch;
    this.comparison = undefined;
  }

  /** The open filter ranked its candidates. */
  ranked(ranking: RawRanking): void {
    (this.stack[this.stack.length - 1] as RawNode).ranking = ranking;
  }

  close(value: Value | Failure): void {
    const node = this.stack.pop();
    if (node === undefined || this.stack.length === 0) throw new Error('trace frames underflow');
    node.value = value;
  }

  /** The recorded top-level nodes as plain trace nodes. */
  build(): TraceNode[] {
    return this.root.children.map((n) => this.toNode(n));
  }

  private toNode(raw: RawNode): TraceNode {
    const detail = raw.detail ?? { kind: 'weight-equal' };
    const v = raw.value;
    const common = {
      at: at(raw.span),
      children: raw.children.map((c) => this.toNode(c)),
      ...(v instanceof Fragment ? { weights: normalisedWeights(v) } : {}),
      ...(v instanceof Failure ? { failed: v.code } : {}),
    };
    switch (detail.kind) {
      case 'if': {
        const c = raw.condition;
        return {
          kind: 'if',
          ...common,
          ...(c === undefined
            ? {}
            : {
                condition: {
                  op: c.op,
                  left: { form: c.leftForm, value: traceNumber(c.left) },
                  right: { form: c.rightForm, value: traceNumber(c.right) },
                  result: c.result,
                },
              }),
          ...(raw.branch === undefined ? {} : { branch: raw.branch }),
        };
      }
      case 'filter': {
        const r = raw.ranking;
        return {
          kind: 'filter',
          metric: detail.metric,
          select: detail.select,
          mode: r?.mode ?? 'asset',
          candidates: r === undefined ? [] : this.candidates(r),
          ...common,
        };
      }
      default:
        return { ...detail, ...common };
    }
  }

  /** Every scored candidate in rank order (the kept first), then the unscored in source order. */
  private candidates(r: RawRanking): CandidateTrace[] {
    const label = (item: string | Fragment) =>
      typeof item === 'string' ? item : (this.blockLabels.get(item.block) ?? `block ${item.block}`);
    const sorted = rank(r.scored, r.top, Number.POSITIVE_INFINITY);
    const out: CandidateTrace[] = sorted.map((c, k) => {
      const basis = typeof c.item === 'string' ? undefined : r.bases?.get(c.item);
      const prev = sorted[k - 1];
      return {
        label: label(c.item),
        score: traceNumber(c.score),
        ...(basis === undefined ? {} : { basis }),
        selected: k < r.kept,
        ...(prev !== undefined && tied(prev.score, c.score) ? { tied: true as const } : {}),
      };
    });
    for (const item of r.unscored) out.push({ label: label(item), score: null, selected: false });
    return out;
  }
}

function normalisedWeights(f: Fragment): Record<string, number> {
  const total = f.total();
  const out: Record<string, number> = {};
  for (const [s, w] of f.weights) out[s] = traceNumber(total === 0 ? w : w / total);
  return out;
}
