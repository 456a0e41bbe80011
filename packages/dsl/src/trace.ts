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

/** A comparison site, known when it is planned: its operator and its operands' source forms. */
export class ComparisonSite {
  constructor(
    readonly op: string,
    readonly leftForm: string,
    readonly rightForm: string,
  ) {}
}

type Candidate = string | Fragment;
type Basis = 'history' | 'holdings';

/**
 * One traced form as recorded during evaluation: the only allocation per decision. References
 * only (fragments and the filter's own arrays are immutable once recorded): no copying, rounding,
 * string building or sorting; children are a linked list. Each kind sets all its fields in its
 * constructor, so that its nodes share one shape.
 */
class RawNode {
  value: Value | Failure | undefined = undefined;
  firstChild: RawNode | undefined = undefined;
  lastChild: RawNode | undefined = undefined;
  next: RawNode | undefined = undefined;

  constructor(
    readonly span: Span,
    readonly detail: TraceDetail | undefined,
    readonly parent: RawNode | undefined,
  ) {}
}

/** An `if`: its comparison (site undefined: the condition recorded none) and the branch taken. */
class RawIf extends RawNode {
  site: ComparisonSite | undefined = undefined;
  left = 0;
  right = 0;
  result = false;
  branch: 'then' | 'else' | undefined = undefined;
}

/** A `filter`: its ranking as recorded (ranked false: it did not rank). */
class RawFilter extends RawNode {
  ranked = false;
  blockMode = false;
  top = false;
  kept = 0;
  scored: readonly Ranked<Candidate>[] = [];
  unscored: readonly Candidate[] = [];
  /** Block mode: the basis of `scored[k]`, index for index. */
  bases: readonly Basis[] | undefined = undefined;
}

const ROOT_SPAN: Span = { line: 1, column: 1, offset: 0, end: 0 };

/**
 * Records the trace while an evaluation runs: each traced form opens a node, its traced
 * descendants land in it, closing it sets its value. Recording only keeps references and raw
 * numbers; `build` turns the recording into the plain `Trace` afterwards (positions, labels,
 * ranking order, rounding, weights), so the cost paid during evaluation stays small
 * (`pnpm bench dsl` measures both).
 */
export class TraceCollector {
  private readonly root = new RawNode(ROOT_SPAN, undefined, undefined);
  private current: RawNode = this.root;
  /** The last comparison evaluated on the traced path (taken by the enclosing `if`). */
  private site: ComparisonSite | undefined = undefined;
  private left = 0;
  private right = 0;
  private result = false;

  /** `blockLabels`: block node id → its name as a filter candidate (the plan's). */
  constructor(private readonly blockLabels: ReadonlyMap<number, string>) {}

  /** Opens a group or weighting form. */
  open(span: Span, detail: TraceDetail): void {
    this.push(new RawNode(span, detail, this.current));
  }

  openIf(span: Span): void {
    this.push(new RawIf(span, IF_DETAIL, this.current));
  }

  openFilter(span: Span, detail: TraceDetail): void {
    this.push(new RawFilter(span, detail, this.current));
  }

  private push(node: RawNode): void {
    const parent = this.current;
    if (parent.lastChild === undefined) parent.firstChild = node;
    else parent.lastChild.next = node;
    parent.lastChild = node;
    this.current = node;
  }

  /** A comparison on the traced path evaluated. */
  compared(site: ComparisonSite, left: number, right: number, result: boolean): void {
    this.site = site;
    this.left = left;
    this.right = right;
    this.result = result;
  }

  /** Forgets the last comparison (an `if` starts its condition). */
  forget(): void {
    this.site = undefined;
  }

  /** The open `if` decided: its condition is the last comparison; no branch when none applies. */
  decided(branch: 'then' | 'else' | undefined): void {
    const node = this.current;
    if (!(node instanceof RawIf)) throw new Error('trace: decided outside an if');
    node.site = this.site;
    node.left = this.left;
    node.right = this.right;
    node.result = this.result;
    node.branch = branch;
    this.site = undefined;
  }

  /**
   * The open filter ranked its candidates: `scored` in source order, `kept` of them selected,
   * `unscored` dropped for too little history; in block mode `bases[k]` is `scored[k]`'s basis.
   * The arrays are kept as they are (the filter does not change them afterwards).
   */
  ranked(
    blockMode: boolean,
    scored: readonly Ranked<Candidate>[],
    top: boolean,
    kept: number,
    unscored: readonly Candidate[],
    bases: readonly Basis[] | undefined,
  ): void {
    const node = this.current;
    if (!(node instanceof RawFilter)) throw new Error('trace: ranked outside a filter');
    node.ranked = true;
    node.blockMode = blockMode;
    node.scored = scored;
    node.top = top;
    node.kept = kept;
    node.unscored = unscored;
    node.bases = bases;
  }

  close(value: Value | Failure): void {
    const node = this.current;
    if (node.parent === undefined) throw new Error('trace frames underflow');
    node.value = value;
    this.current = node.parent;
  }

  /** The recorded top-level nodes as plain trace nodes. */
  build(): TraceNode[] {
    return this.childrenOf(this.root);
  }

  private childrenOf(raw: RawNode): TraceNode[] {
    const out: TraceNode[] = [];
    for (let c = raw.firstChild; c !== undefined; c = c.next) out.push(this.toNode(c));
    return out;
  }

  private toNode(raw: RawNode): TraceNode {
    const v = raw.value;
    const common = {
      at: at(raw.span),
      children: this.childrenOf(raw),
      ...(v instanceof Fragment ? { weights: normalisedWeights(v) } : {}),
      ...(v instanceof Failure ? { failed: v.code } : {}),
    };
    if (raw instanceof RawIf) {
      const c = raw.site;
      return {
        kind: 'if',
        ...common,
        ...(c === undefined
          ? {}
          : {
              condition: {
                op: c.op,
                left: { form: c.leftForm, value: traceNumber(raw.left) },
                right: { form: c.rightForm, value: traceNumber(raw.right) },
                result: raw.result,
              },
            }),
        ...(raw.branch === undefined ? {} : { branch: raw.branch }),
      };
    }
    const detail = raw.detail ?? { kind: 'weight-equal' };
    if (raw instanceof RawFilter && detail.kind === 'filter')
      return {
        kind: 'filter',
        metric: detail.metric,
        select: detail.select,
        mode: raw.blockMode ? 'block' : 'asset',
        candidates: raw.ranked ? this.candidates(raw) : [],
        ...common,
      };
    if (detail.kind === 'if' || detail.kind === 'filter')
      throw new Error(`trace: a ${detail.kind} recorded as a weighting`);
    return { ...detail, ...common };
  }

  /** Every scored candidate in rank order (the kept first), then the unscored in source order. */
  private candidates(raw: RawFilter): CandidateTrace[] {
    const label = (item: Candidate) =>
      typeof item === 'string' ? item : (this.blockLabels.get(item.block) ?? `block ${item.block}`);
    const bases = new Map<Ranked<Candidate>, Basis>();
    raw.scored.forEach((c, k) => {
      const basis = raw.bases?.[k];
      if (basis !== undefined && typeof c.item !== 'string') bases.set(c, basis);
    });
    const sorted = rank(raw.scored, raw.top, Number.POSITIVE_INFINITY);
    const out: CandidateTrace[] = sorted.map((c, k) => {
      const basis = bases.get(c);
      const prev = sorted[k - 1];
      return {
        label: label(c.item),
        score: traceNumber(c.score),
        ...(basis === undefined ? {} : { basis }),
        selected: k < raw.kept,
        ...(prev !== undefined && tied(prev.score, c.score) ? { tied: true as const } : {}),
      };
    });
    for (const item of raw.unscored) out.push({ label: label(item), score: null, selected: false });
    return out;
  }
}

const IF_DETAIL: TraceDetail = { kind: 'if' };

function normalisedWeights(f: Fragment): Record<string, number> {
  const total = f.total();
  const out: Record<string, number> = {};
  for (const [s, w] of f.weights) out[s] = traceNumber(total === 0 ? w : w / total);
  return out;
}
