import type { Node, Program } from './ast';
import { check } from './checker';
import { Context } from './context';
import { type DslError, Failure, type Result, toDslError } from './errors';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { type BarPort, Market } from './market';
import { type Plan, plan } from './planner';
import { readStrategy } from './source';
import { type Trace, TraceCollector } from './trace';
import { finalWeights, type SymbolWeight } from './weights';

/** A strategy read, checked and planned: reusable for any number of sessions and dates. */
export interface CompiledStrategy {
  readonly file: string;
  /**
   * The program as read: the file's `(defsymphony …)` form, or the one a score tree converts to
   * (its CONFIG carries the runner metadata such as `:rebalance-threshold` in both cases).
   */
  readonly program: Program;
  readonly plan: Plan;
  /** Upper-case tickers the strategy may read (load these through the bar port). */
  readonly symbols: readonly string[];
}

/**
 * read → check → plan. `source` is a `.clj` strategy or a Composer score tree (EDN or JSON), read
 * as the equivalent defsymphony form. All problems found by the checker are reported at once.
 */
export function compile(
  source: string,
  file: string,
  limits: Limits = DEFAULT_LIMITS,
): Result<CompiledStrategy, DslError[]> {
  const program = readStrategy(source, file, limits);
  if (!program.ok) return program;
  const problems = check(program.value);
  if (problems.length > 0) return { ok: false, error: problems };
  const p = plan(program.value);
  const symbols = [...p.symbols].filter((s) => s !== '').sort();
  return { ok: true, value: { file, program: program.value, plan: p, symbols } };
}

/**
 * Evaluations of one strategy over one market. Block values and indicator series are memoised
 * across dates, so replaying many dates does not recompute history. Pure: no I/O, no clock.
 */
export class Session {
  private readonly ctx: Context;

  constructor(
    readonly strategy: CompiledStrategy,
    readonly market: Market,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {
    this.ctx = new Context(market, strategy.plan.blocks);
  }

  /** Loads the bars the strategy reads, up to `until`, and opens a session on them. */
  static async open(
    strategy: CompiledStrategy,
    port: BarPort,
    until: string,
    limits: Limits = DEFAULT_LIMITS,
  ) {
    return new Session(strategy, await Market.load(port, strategy.symbols, until), limits);
  }

  /** The weights as of the close of `date` (YYYY-MM-DD), or the error that names the cause. */
  evaluate(date: string): Result<SymbolWeight[], DslError> {
    return this.run(date, undefined);
  }

  /**
   * `evaluate(date)` with its decision trace (trace.ts): the same result, and how it was reached.
   * The evaluation records references as it goes; `trace()` builds the plain trace from them (call
   * it before the next evaluation of this session). `pnpm bench dsl` measures both costs.
   */
  explain(date: string): Explanation {
    const collector = new TraceCollector(this.strategy.plan.blockLabels);
    let result: Result<SymbolWeight[], DslError>;
    try {
      result = this.run(date, collector);
    } finally {
      this.ctx.trace = undefined;
    }
    return new Explanation(result, this.strategy.file, date, collector);
  }

  private run(date: string, collector: TraceCollector | undefined): Result<SymbolWeight[], DslError> {
    const ctx = this.ctx;
    ctx.trace = collector;
    ctx.historyDepth = 0;
    const day = this.market.dayOf(date);
    ctx.steps = 0;
    ctx.maxSteps = this.limits.maxSteps;
    ctx.asOf = date;
    ctx.asOfDay = day;
    const root: Node = this.strategy.plan.rootNode;
    let outcome: SymbolWeight[] | Failure;
    try {
      const v = this.strategy.plan.root(ctx, day);
      outcome = v instanceof Failure ? v : finalWeights(v, root.span);
    } catch (e) {
      // Only a JS engine limit (stack, memory) can get here: report it as a LIMIT, never crash.
      outcome = new Failure(
        'LIMIT',
        `evaluation exceeded an engine limit: ${e instanceof Error ? e.message : String(e)}`,
        root.span,
      );
    }
    if (outcome instanceof Failure) {
      const err = toDslError(outcome, this.strategy.file);
      return {
        ok: false,
        error: err.date === undefined && outcome.code !== 'LIMIT' ? { ...err, date } : err,
      };
    }
    return { ok: true, value: outcome };
  }
}

/**
 * An evaluation and its recorded decisions (`Session.explain`). A class, not a closure per call.
 * Call `trace()` as a method, before the session's next evaluation.
 */
export class Explanation {
  constructor(
    readonly result: Result<SymbolWeight[], DslError>,
    private readonly file: string,
    private readonly date: string,
    private readonly collector: TraceCollector,
  ) {}

  /** The plain trace, built from the recording. */
  trace(): Trace {
    return {
      file: this.file,
      date: this.date,
      nodes: this.collector.build(),
      outcome: outcomeOf(this.result),
    };
  }
}

function outcomeOf(result: Result<SymbolWeight[], DslError>): Trace['outcome'] {
  if (result.ok)
    return { weights: Object.fromEntries(result.value.map((w) => [w.symbol, w.weight.toString()])) };
  const e = result.error;
  return { error: { code: e.code, message: e.message, at: `${e.line}:${e.column}` } };
}
