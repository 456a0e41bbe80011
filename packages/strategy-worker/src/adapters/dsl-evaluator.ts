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
import { REBALANCE_FREQUENCIES, type RebalanceFrequency, type RebalanceSchedule } from '@books/portfolio';
import type { StrategyEvaluation, StrategyEvaluator } from '../ports';

/** Reads a strategy file's text by its configured path (relative to the strategies directory). */
export type StrategySourceReader = (file: string) => Promise<string>;

interface Compiled {
  readonly strategy: CompiledStrategy;
  readonly rebalanceThreshold?: Weight;
  readonly schedule?: RebalanceSchedule;
  /** One session per bars horizon: a later date opens a new one. */
  session?: { readonly until: string; readonly session: Session };
}

/**
 * The trading day before `asOf` on the market calendar; undefined when the calendar does not
 * reach that far (see `freshnessFloor`).
 */
export type PreviousTradingDay = (asOf: TradingDate) => Promise<TradingDate | undefined>;

/** Days back a bar may be when the calendar does not know the days before `asOf`: a week covers any run of holidays. */
const UNKNOWN_CALENDAR_DAYS = 7;

/**
 * The oldest a symbol's latest bar may be for a strategy to run as of `asOf`: the previous trading
 * day, or, when the calendar has none (it ends before `asOf`), the date a week before `asOf`.
 */
export async function freshnessFloor(previous: PreviousTradingDay, asOf: TradingDate): Promise<string> {
  const day = await previous(asOf);
  if (day !== undefined) return day;
  const d = new Date(`${asOf}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - UNKNOWN_CALENDAR_DAYS);
  return d.toISOString().slice(0, 10);
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
    /**
     * When given, a strategy whose symbols' latest completed bar (in `completedBars`, default the
     * evaluated bars) is older than the previous trading day fails with STALE_DATA. A live run
     * evaluates on today's provisional bar, which must not hide a store that stopped updating.
     */
    private readonly freshness?: {
      readonly previousTradingDay: PreviousTradingDay;
      readonly completedBars?: BarPort;
    },
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
    const stale = await this.staleSymbol(entry.strategy.symbols, asOf);
    if (stale) return stale;
    // Traced: the decisions are stored with the run's plan (`books explain`).
    const explained = entry.session.session.explain(asOf);
    const result = explained.result;
    if (!result.ok) return { ok: false, code: result.error.code, message: formatDslError(result.error) };
    return {
      ok: true,
      weights: new Map(result.value.map((w) => [w.symbol, w.weight])),
      ...(entry.rebalanceThreshold ? { rebalanceThreshold: entry.rebalanceThreshold } : {}),
      ...(entry.schedule ? { schedule: entry.schedule } : {}),
      trace: explained.trace(),
    };
  }

  /** Every symbol the file can hold, for the coordinator's shared-symbol warning. */
  async symbolsOf(file: string): Promise<readonly Symbol[]> {
    const entry = await this.compile(file);
    return 'code' in entry ? [] : entry.strategy.symbols.map((s) => Symbol(s));
  }

  /** The first symbol (sorted) whose latest bar on or before `asOf` is older than the freshness floor. */
  private async staleSymbol(
    symbols: readonly string[],
    asOf: TradingDate,
  ): Promise<{ ok: false; code: 'STALE_DATA'; message: string; data: true } | undefined> {
    if (!this.freshness) return undefined;
    const floor = await freshnessFloor(this.freshness.previousTradingDay, asOf);
    const completed = this.freshness.completedBars ?? this.bars;
    for (const symbol of [...symbols].sort()) {
      const { dates } = await completed.closes(symbol, asOf);
      const last = dates[dates.length - 1];
      // A symbol with no bar at all is the program's problem (the engine reports NO_DATA at its position).
      if (last !== undefined && last < floor)
        return {
          ok: false,
          code: 'STALE_DATA',
          data: true,
          message: `STALE_DATA: ${symbol}'s latest bar is of ${last}, older than ${floor} (the trading day before ${asOf}): refresh the market data before trading`,
        };
    }
    return undefined;
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
    const frequency = rebalanceFrequencyOf(compiled.value.program);
    if (frequency === 'invalid')
      return {
        ok: false,
        code: 'ARGUMENT',
        message: `${file}: :rebalance-frequency must be one of ${REBALANCE_FREQUENCIES.map((f) => `:${f}`).join(', ')}`,
      };
    const schedule = scheduleOf(frequency, threshold);
    const band = schedule?.kind === 'threshold' ? undefined : threshold;
    const entry: Compiled = {
      strategy: compiled.value,
      ...(band ? { rebalanceThreshold: band } : {}),
      ...(schedule ? { schedule } : {}),
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

/** The value of `key` in `(defsymphony NAME {CONFIG} BODY)`'s CONFIG: runner metadata per DSL.md. */
function configEntry(program: Program, key: string): Node | undefined {
  const top: Node | undefined = program.forms[0];
  if (top?.kind !== 'list') return undefined;
  const head = top.items[0];
  const config = top.items[2];
  if (head?.kind !== 'symbol' || head.name !== 'defsymphony' || config?.kind !== 'map') return undefined;
  return config.entries.find((e) => e.key.name === key)?.value;
}

/** `:rebalance-threshold` of the symphony's CONFIG. */
export function rebalanceThresholdOf(program: Program): Weight | undefined {
  const value = configEntry(program, 'rebalance-threshold');
  return value?.kind === 'number' ? Weight.parse(value.text) : undefined;
}

/** `:rebalance-frequency` of the symphony's CONFIG; `invalid` for a value that is not a frequency. */
export function rebalanceFrequencyOf(program: Program): RebalanceFrequency | 'invalid' | undefined {
  const value = configEntry(program, 'rebalance-frequency');
  if (value === undefined) return undefined;
  const name =
    value.kind === 'keyword' || value.kind === 'string'
      ? value.kind === 'keyword'
        ? value.name
        : value.value
      : '';
  return REBALANCE_FREQUENCIES.find((f) => f === name) ?? 'invalid';
}

/**
 * The book's rebalance schedule (docs/dsl.md "Rebalance schedule"): none without
 * `:rebalance-frequency` (planned every day, `:rebalance-threshold` the planner's per-symbol band,
 * as before); `:none` with a threshold is Composer's threshold trading (the threshold decides the
 * day, and a due day rebalances fully: no band); any other frequency is calendar trading (a
 * threshold beside it stays the planner's band).
 */
export function scheduleOf(
  frequency: RebalanceFrequency | undefined,
  threshold: Weight | undefined,
): RebalanceSchedule | undefined {
  if (frequency === undefined) return undefined;
  if (frequency === 'none' && threshold) return { kind: 'threshold', threshold };
  return { kind: 'calendar', frequency };
}
