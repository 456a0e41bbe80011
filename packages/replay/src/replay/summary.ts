import { Money } from '@books/core';
import { type EquityPoint, type PerformanceStats, performance } from './metrics';
import type { DayRecord } from './state';

/**
 * The end-of-replay summary: per strategy, the statistics of its recorded equity series and the
 * totals of its ledger trades; for the account, the reconciliation status of every day. Pure.
 */

export interface TradeTotals {
  readonly count: number;
  /** Σ |qty × fill price|. */
  readonly tradedValue: Money;
  readonly fees: Money;
}

export interface StrategySummary extends PerformanceStats {
  readonly strategyId: string;
  /** A merged-flow strategy's share of the LEGACY book, not a book of its own. */
  readonly attributed: boolean;
  readonly finalEquity: string;
  readonly trades: number;
  readonly tradedValue: string;
  readonly fees: string;
  /** Days reconciled with no break on a symbol this book holds (account-wide breaks: see reconciliation). */
  readonly reconMatchDays: number;
  readonly reconDays: number;
  /** Days its rebalance schedule did not fall on (status NOT_DUE): planned, no trade. */
  readonly notDueDays: number;
}

export interface ReconciliationSummary {
  readonly days: number;
  readonly matchDays: number;
  readonly breakDays: number;
  /** Every day in order: MATCH, or BREAK with its breaks. */
  readonly byDay: readonly {
    date: string;
    status: 'MATCH' | 'BREAK';
    breaks: readonly { symbol: string; status: string; unexplained: string; strategies: readonly string[] }[];
  }[];
}

export interface ReplaySummary {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly strategies: readonly StrategySummary[];
  readonly reconciliation: ReconciliationSummary;
}

export function summarise(
  range: { from: string; to: string },
  days: readonly DayRecord[],
  trades: ReadonlyMap<string, TradeTotals>,
): ReplaySummary {
  // The LEGACY book (the merged flow's one book), if any, after the strategies.
  const ids = [...new Set(days.flatMap((d) => Object.keys(d.strategies)))].sort(
    (a, b) => Number(a === 'LEGACY') - Number(b === 'LEGACY') || a.localeCompare(b),
  );
  const strategies = ids.map((sid): StrategySummary => {
    const points: EquityPoint[] = [];
    let previousTransfers = Money.ZERO;
    let finalEquity = Money.ZERO;
    for (const d of days) {
      const s = d.strategies[sid];
      if (!s) continue;
      const transfers = Money.parse(s.transfersTotal);
      finalEquity = Money.parse(s.equity);
      points.push({
        equity: finalEquity.value.toNumber(),
        flow: transfers.minus(previousTransfers).value.toNumber(),
      });
      previousTransfers = transfers;
    }
    const t = trades.get(sid) ?? { count: 0, tradedValue: Money.ZERO, fees: Money.ZERO };
    const reconDays = days.filter((d) => d.strategies[sid] !== undefined);
    const reconMatchDays = reconDays.filter(
      (d) => !d.recon.breaks.some((b) => b.strategies.includes(sid)),
    ).length;
    return {
      strategyId: sid,
      attributed: days.some((d) => d.strategies[sid]?.attributed === true),
      ...performance(points, t.tradedValue.value.toNumber()),
      finalEquity: finalEquity.toCents().value.toFixed(2),
      trades: t.count,
      tradedValue: t.tradedValue.toCents().value.toFixed(2),
      fees: t.fees.toCents().value.toFixed(2),
      reconMatchDays,
      reconDays: reconDays.length,
      notDueDays: days.filter((d) => d.strategies[sid]?.status === 'NOT_DUE').length,
    };
  });
  const byDay = days.map((d) => ({
    date: d.date,
    status: d.recon.ok ? ('MATCH' as const) : ('BREAK' as const),
    breaks: d.recon.breaks,
  }));
  const matchDays = byDay.filter((d) => d.status === 'MATCH').length;
  return {
    from: range.from,
    to: range.to,
    days: days.length,
    strategies,
    reconciliation: { days: days.length, matchDays, breakDays: days.length - matchDays, byDay },
  };
}

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));

/** The summary as a fixed-width table, then the reconciliation line and any break days. */
export function formatSummary(s: ReplaySummary): string {
  const header = [
    'strategy',
    'return',
    'ann. vol',
    'max DD',
    'Sharpe',
    'turnover',
    'trades',
    'fees',
    'equity',
  ];
  const rows = s.strategies.map((x) => [
    x.attributed ? `${x.strategyId} (attributed)` : x.strategyId,
    pct(x.totalReturn),
    pct(x.annualisedVolatility),
    pct(x.maxDrawdown),
    num(x.sharpe),
    num(x.turnover),
    String(x.trades),
    x.fees,
    x.finalEquity,
    `${x.reconMatchDays}/${x.reconDays} MATCH`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [
    `replay ${s.from} … ${s.to}: ${s.days} trading days`,
    '',
    line(header),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
    ...(s.strategies.some((x) => x.attributed)
      ? [
          '(attributed: a merged-flow strategy’s share of the LEGACY book by its contributions to the latest legacy run, not a book of its own)',
        ]
      : []),
    ...s.strategies
      .filter((x) => x.notDueDays > 0)
      .map(
        (x) =>
          `${x.strategyId}: not due on ${x.notDueDays} of ${x.reconDays} days (its :rebalance-frequency)`,
      ),
    '',
    `reconciliation: ${s.reconciliation.matchDays}/${s.reconciliation.days} days MATCH, ${s.reconciliation.breakDays} with breaks`,
  ];
  for (const d of s.reconciliation.byDay.filter((x) => x.status === 'BREAK'))
    out.push(
      `  ${d.date} BREAK ${d.breaks.map((b) => `${b.status} ${b.symbol} (${b.unexplained}; ${b.strategies.join(', ') || 'no book'})`).join(', ') || '(cash)'}`,
    );
  return `${out.join('\n')}\n`;
}
