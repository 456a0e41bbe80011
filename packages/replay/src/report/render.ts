import { escapeHtml as h } from './escape';
import type { ReportData } from './model';
import { chartSeries } from './series';
import { colorOf, type LineSpec, lineChart, stackedAreaChart } from './svg-chart';
import { daysTable, summaryTable, TRADE_FILTER_SCRIPT, tradesTable } from './tables';

/**
 * The report as ONE self-contained HTML document: CSS and the trade filters' script inline,
 * charts as inline SVG, no external resource of any kind. Every value from the data is escaped.
 * Pure: the same data gives the same text.
 */

const ACCOUNT_COLOR = '#222';
const BENCHMARK_COLOR = '#888';

const STYLE = `
:root { color-scheme: light; --fg: #222; --muted: #666; --line: #ddd; --ok: #1a7f37; --bad: #c62828; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 24px auto; max-width: 1280px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.subtitle, .generated { color: var(--muted); margin: 0; } .notes { color: #8a5a00; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; white-space: nowrap; }
table.numeric td:not(:first-child) { text-align: right; }
table.trades td:nth-child(-n+5), table.trades td:last-child { text-align: left; }
table.trades td, table.days td:nth-child(-n+2) { white-space: nowrap; } table.days td:nth-child(2) { text-align: right; }
.chart { margin: 12px 0 20px; } .chart figcaption { font-weight: 600; margin-bottom: 4px; }
.chart svg { width: 100%; height: auto; display: block; background: #fff; }
.chart .grid { stroke: #eee; stroke-width: 1; } .chart .tick { font-size: 11px; fill: var(--muted); }
.legend { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
.swatch.dashed { height: 3px; vertical-align: 3px; width: 16px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; font-weight: 600; color: #fff; background: var(--muted); }
.badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); }
ul.breaks { margin: 4px 0 0; padding-left: 18px; color: var(--bad); }
details ul { margin: 4px 0; padding-left: 18px; } .missing { color: var(--bad); }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0; }
.filters output { color: var(--muted); margin-left: auto; }
tr[hidden] { display: none; }
.wide { overflow-x: auto; } table.days { font-size: 13px; }
`;

export function renderReport(data: ReportData): string {
  const series = chartSeries(data);
  const money = (y: number) => y.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const percent = (y: number) => `${(y * 100).toFixed(Math.abs(y) < 0.1 ? 1 : 0)}%`;
  const books: LineSpec[] = series.books.map((b, i) => ({
    name: b.strategyId,
    color: colorOf(i),
    values: b.equity,
  }));
  // The benchmark rebased to the account's and each book's starting equity, dashed beside them.
  const bench = series.benchmark;
  const accountBenchmark: LineSpec[] = bench
    ? [{ name: `${bench.symbol} (rebased)`, color: BENCHMARK_COLOR, values: bench.account, dashed: true }]
    : [];
  const bookBenchmarks: LineSpec[] = bench
    ? series.books.map((b, i) => ({
        name: `${bench.symbol} rebased to ${b.strategyId}`,
        color: colorOf(i),
        values: bench.books[i] ?? [],
        dashed: true,
      }))
    : [];
  const common = { dates: series.dates };
  const charts = [
    lineChart({ ...common, id: 'equity-account', title: 'Account equity', format: money }, [
      { name: 'account', color: ACCOUNT_COLOR, values: series.account.equity },
      ...accountBenchmark,
    ]),
    lineChart({ ...common, id: 'equity-strategies', title: 'Equity per strategy', format: money }, [
      ...books,
      ...bookBenchmarks,
    ]),
    lineChart(
      {
        ...common,
        id: 'drawdown',
        title: 'Drawdown (account; strategies time-weighted, transfers excluded)',
        format: percent,
        invert: true,
      },
      [
        { name: 'account', color: ACCOUNT_COLOR, values: series.account.drawdown },
        ...series.books.map((b, i) => ({ name: b.strategyId, color: colorOf(i), values: b.drawdown })),
      ],
    ),
    stackedAreaChart(
      { ...common, id: 'allocation', title: 'Allocation: share of account equity', format: percent },
      [
        ...series.books.map((b, i) => ({ name: b.strategyId, color: colorOf(i), values: b.share })),
        { name: 'unallocated', color: '#cfcfcf', values: series.unallocated },
      ],
    ),
  ];
  const notes =
    data.notes.length === 0
      ? ''
      : `<ul class="notes">${data.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${h(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${h(data.title)}</h1><p class="subtitle">${h(data.subtitle)}</p><p class="generated">generated ${h(data.generatedAt)}</p>${notes}</header>
<section id="summary"><h2>Summary</h2>${summaryTable(data)}</section>
<section id="charts"><h2>Charts</h2>${charts.join('\n')}</section>
<section id="days"><h2>Reconciliation and run completeness per day</h2><div class="wide">${daysTable(data.days)}</div></section>
<section id="trades-section"><h2>Trades</h2>${tradesTable(data.trades)}</section>
${data.controls?.length ? `<section id="controls"><h2>Trader controls</h2><ul>${data.controls.map((c) => `<li>${h(c)}</li>`).join('')}</ul></section>` : ''}
<script>${TRADE_FILTER_SCRIPT}</script>
</body>
</html>
`;
}
