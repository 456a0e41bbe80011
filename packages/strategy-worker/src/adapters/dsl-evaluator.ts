import { BooksError, errorMessage, Symbol, type TradingDate, Weight } from '@books/core';
import {
  type BarPort,
  type CompiledStrategy,
  compile,
  formatDslError,
  type Node,
  type Program,
  Session,
} from '@books/dsl';
import type { StrategyEvaluation, StrategyEvaluator } from '../ports';

/** Reads a strategy file's text by its configured path (relative to the strategies directory). */
export type StrategySourceReader = (file: string) => Promise<string>;

interface Compiled {
  readonly strategy: CompiledStrategy;
  readonly rebalanceThreshold?: Weight;
  /** One session per bars horizon: a later date opens a new one. */
  session?: { readonly until: string; readonly session: Session };
}

/**
 * The DSL engine behind the worker's port: each file is compiled once per process and its session
 * (bars, indicator series, block histories) reused across dates, so a replay does not recompute
 * history each day. `horizon` lets a replay load bars up to its last day once; evaluation as of D
 * still only sees bars on or before D.
 */
export class DslEvaluator implements StrategyEvaluator {
  private readonly compiled = new Map<string, Compiled>();

  constructor(
    private readonly readSource: StrategySourceReader,
    private readonly bars: BarPort,
    private readonly horizon?: TradingDate,
  ) {}

  async evaluate(file: string, asOf: TradingDate): Promise<StrategyEvaluation> {
    const entry = await this.compile(file);
    if ('code' in entry) return entry;
    const until = this.horizon && this.horizon > asOf ? this.horizon : asOf;
    if (!entry.session || entry.session.until < asOf) {
      let session: Session;
      try {
        session = await Session.open(entry.strategy, this.bars, until);
      } catch (e) {
        const bad = badDataOf(e);
        if (bad === undefined) throw e;
        return { ok: false, code: BAD_DATA, message: `${file}: the bars it needs are malformed: ${bad}` };
      }
      entry.session = { until, session };
    }
    const result = entry.session.session.evaluate(asOf);
    if (!result.ok) return { ok: false, code: result.error.code, message: formatDslError(result.error) };
    return {
      ok: true,
      weights: new Map(result.value.map((w) => [w.symbol, w.weight])),
      ...(entry.rebalanceThreshold ? { rebalanceThreshold: entry.rebalanceThreshold } : {}),
    };
  }

  /** Every symbol the file can hold, for the coordinator's shared-symbol warning. */
  async symbolsOf(file: string): Promise<readonly Symbol[]> {
    const entry = await this.compile(file);
    return 'code' in entry ? [] : entry.strategy.symbols.map((s) => Symbol(s));
  }

  private async compile(file: string): Promise<Compiled | { ok: false; code: string; message: string }> {
    const cached = this.compiled.get(file);
    if (cached) return cached;
    let source: string;
    try {
      source = await this.readSource(file);
    } catch (e) {
      return { ok: false, code: 'SOURCE', message: `${file}: cannot be read (${errorMessage(e)})` };
    }
    const compiled = compile(source, file);
    if (!compiled.ok) {
      const first = compiled.error[0];
      return {
        ok: false,
        code: first?.code ?? 'PARSE',
        message: compiled.error.map((e) => formatDslError(e)).join('\n'),
      };
    }
    // The program the engine evaluated: for a score tree, the `.clj` form it converted to.
    const threshold = rebalanceThresholdOf(compiled.value.program);
    const entry: Compiled = {
      strategy: compiled.value,
      ...(threshold ? { rebalanceThreshold: threshold } : {}),
    };
    this.compiled.set(file, entry);
    return entry;
  }
}

/** The failure code of a strategy whose bars are malformed (a data problem, not the DSL's). */
export const BAD_DATA = 'BAD_DATA';

/**
 * The message of a malformed bars file (market-data's BarFileError naming a line: file, line and
 * problem), or undefined for any other error — a file that could not be read stays a thrown,
 * retryable error.
 */
function badDataOf(e: unknown): string | undefined {
  return e instanceof BooksError && e.code === 'BAR_FILE' && typeof e.context.line === 'number'
    ? e.message
    : undefined;
}

/** `:rebalance-threshold` of `(defsymphony NAME {CONFIG} BODY)`, runner metadata per DSL.md. */
export function rebalanceThresholdOf(program: Program): Weight | undefined {
  const top: Node | undefined = program.forms[0];
  if (top?.kind !== 'list') return undefined;
  const head = top.items[0];
  const config = top.items[2];
  if (head?.kind !== 'symbol' || head.name !== 'defsymphony' || config?.kind !== 'map') return undefined;
  const entry = config.entries.find((e) => e.key.name === 'rebalance-threshold');
  return entry?.value.kind === 'number' ? Weight.parse(entry.value.text) : undefined;
}
