/**
 * What a report shows, as plain JSON-shaped data: decimals stay decimal strings, dates are
 * `YYYY-MM-DD` trading dates (New York). Built by collect.ts over a stage's ledger, rendered by
 * render.ts without any I/O.
 */

export interface ReportData {
  readonly title: string;
  /** One line under the title (stage, range, number of days). */
  readonly subtitle: string;
  /** When the report was built (ISO instant, injected). */
  readonly generatedAt: string;
  /** Strategy ids, in the order their series are drawn. */
  readonly strategies: readonly string[];
  /** One entry per trading day, ascending. */
  readonly days: readonly ReportDay[];
  readonly trades: readonly ReportTrade[];
  /** Caveats about the data (e.g. an estimated series), shown under the title. */
  readonly notes: readonly string[];
  /** The benchmark the books are measured against (alpha, beta, R²), when its bars are at hand. */
  readonly benchmark?: ReportBenchmark;
  /** The dividends paid over the days, per book and for the account (dividends.ts). */
  readonly dividends?: ReportDividends;
  /** The trader controls' changes (pause, liquidate, halt, drawdown stops), newest first, one line each. */
  readonly controls?: readonly string[];
}

/** Dividends over the report's days, as decimal strings (dollars). */
export interface ReportDividends {
  /** Per strategy in the report: its share of the dividends paid; "0" for a book that got none. */
  readonly books: Readonly<Record<string, string>>;
  /** Every dividend the account was paid, attributed to a book or not (pending). */
  readonly account: string;
}

export interface ReportBenchmark {
  readonly symbol: string;
  /** Its close before the first day (the base of the first day's return), when the bars go back that far. */
  readonly previousClose?: string;
  /** Its close on each report day (aligned with `days`); undefined on a day without a bar. */
  readonly closes: readonly (string | undefined)[];
}

export interface ReportDay {
  readonly date: string;
  /** The broker account's equity at the day's close. */
  readonly accountEquity: string;
  /** Per strategy: book equity at the close and the capital transferred into it that day. */
  readonly books: Readonly<Record<string, BookDay>>;
  readonly recon: ReportRecon;
  readonly run: ReportRun;
}

export interface BookDay {
  readonly equity: string;
  /** Net transfers into the book that day (funding, re-targeting; negative out). */
  readonly flow: string;
}

export interface ReportBreak {
  readonly symbol: string;
  readonly status: string;
  readonly unexplained: string;
  /** Strategies holding the symbol (none: no book explains it). */
  readonly strategies: readonly string[];
}

export interface ReportRecon {
  readonly status: 'MATCH' | 'BREAK' | 'NONE';
  readonly cashStatus?: string;
  readonly breaks: readonly ReportBreak[];
}

export interface ReportRunStrategy {
  readonly strategyId: string;
  /** Derived completeness status: TRADED, NOTHING_TO_DO, NOT_DUE, FAILED, SKIPPED, SIGNALLED, PLANNED, PENDING, UNKNOWN. */
  readonly status: string;
  readonly reason?: string;
  /** Orders of the run (planned trades not suppressed), and how many of them are final. */
  readonly orders: number;
  readonly finalOrders: number;
  /** Planned trades suppressed (threshold, minimum notional), each with its reason in the run. */
  readonly suppressed: number;
  /** The evaluation's targets (`SYM weight, …`) and their decision trace as text, when stored. */
  readonly targets?: string;
  readonly explain?: string;
}

export interface ReportRun {
  readonly runId: string;
  /** The run's stored status, or NO RUN. */
  readonly runStatus: string;
  /** COMPLETE | IN_PROGRESS | STUCK, or NO RUN. */
  readonly completeness: string;
  readonly strategies: readonly ReportRunStrategy[];
  /** What is not final yet, one line each. */
  readonly missing: readonly string[];
}

export interface ReportTrade {
  readonly filledAt: string;
  /** The fill's trading date (New York). */
  readonly date: string;
  readonly strategyId: string;
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly qty: string;
  readonly price: string;
  /** qty × price, to the cent. */
  readonly value: string;
  readonly fees: string;
  readonly runId: string;
  /** The price the trade's plan used (its run's stored plan), when the plan holds the order. */
  readonly planPrice?: string;
}
