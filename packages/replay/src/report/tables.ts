import { Money } from '@books/core';
import { benchmarkFit, calmarRatio, slippage, sortinoRatio } from '../replay/factsheet';
import {
  annualisedVolatility,
  dailyReturns,
  dailyReturnsByDay,
  maxDrawdown,
  performance,
  sharpeRatio,
  totalReturn,
} from '../replay/metrics';
import { escapeHtml as h } from './escape';
import type { ReportBenchmark, ReportData, ReportDay, ReportRunStrategy, ReportTrade } from './model';

/** The report's tables as HTML strings: per-strategy summary, days, trades (with its filters). */

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));
const cents = (m: Money) => m.toCents().value.toFixed(2);

/** The benchmark's return on each day (aligned with the days); undefined without both closes. */
function benchmarkReturns(b: ReportBenchmark): (number | undefined)[] {
  return b.closes.map((close, i) => {
    const before = i === 0 ? b.previousClose : b.closes[i - 1];
    return close === undefined || before === undefined || Number(before) <= 0
      ? undefined
      : Number(close) / Number(before) - 1;
  });
}

/** Alpha, beta and R² of a book's daily returns against the benchmark's, on the days both have one. */
function fitCells(
  bookReturns: readonly (number | undefined)[],
  dates: readonly string[],
  data: Pick<ReportData, 'days' | 'benchmark'>,
): string[] {
  if (!data.benchmark) return [];
  const bench = benchmarkReturns(data.benchmark);
  const index = new Map(data.days.map((d, i) => [d.date, i]));
  const r: number[] = [];
  const b: number[] = [];
  bookReturns.forEach((x, i) => {
    const y = bench[index.get(dates[i] ?? '') ?? -1];
    if (x !== undefined && y !== undefined) {
      r.push(x);
      b.push(y);
    }
  });
  const fit = benchmarkFit(r, b);
  return [pct(fit?.alpha), num(fit?.beta), num(fit?.rSquared)];
}

/** The benchmark's own line: its return over the days, its drawdown, volatility, Sharpe, Sortino, Calmar. */
function benchmarkRow(b: ReportBenchmark): string {
  const returns = benchmarkReturns(b).filter((r): r is number => r !== undefined);
  return row([
    `<strong>benchmark ${h(b.symbol)}</strong>`,
    '',
    pct(totalReturn(returns)),
    pct(maxDrawdown(returns)),
    pct(annualisedVolatility(returns)),
    num(sharpeRatio(returns)),
    num(sortinoRatio(returns)),
    num(calmarRatio(returns)),
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
  ]);
}

/** What the trades cost against their plans' prices, in dollars; — when no trade has its plan's price. */
function slippageCell(trades: readonly ReportTrade[]): string {
  const planned = trades.flatMap((t) =>
    t.planPrice === undefined
      ? []
      : [{ side: t.side, qty: Number(t.qty), fillPrice: Number(t.price), planPrice: Number(t.planPrice) }],
  );
  return planned.length === 0 ? '—' : slippage(planned).toFixed(2);
}

function row(cells: readonly string[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

/**
 * Per strategy: final equity, time-weighted return, max drawdown, volatility, Sharpe, Sortino,
 * Calmar, alpha/beta/R² against the benchmark, trades, fees, dividends, slippage against the plans'
 * prices; the account's row sums the trades, fees and dividends (every dividend the account was paid).
 */
export function summaryTable(
  data: Pick<ReportData, 'strategies' | 'days' | 'trades' | 'benchmark' | 'dividends'>,
): string {
  const dividends = (amount: string | undefined) =>
    data.dividends === undefined ? '—' : cents(Money.parse(amount ?? '0'));
  const rows = data.strategies.map((sid) => {
    const days = data.days.filter((d) => d.books[sid] !== undefined);
    const points = days.map((d) => ({
      equity: Number(d.books[sid]?.equity ?? '0'),
      flow: Number(d.books[sid]?.flow ?? '0'),
    }));
    const trades = data.trades.filter((t) => t.strategyId === sid);
    const traded = Money.sum(trades.map((t) => Money.parse(t.value).abs()));
    const fees = Money.sum(trades.map((t) => Money.parse(t.fees)));
    const stats = performance(points, traded.value.toNumber());
    const returns = dailyReturns(points);
    const fit = fitCells(
      dailyReturnsByDay(points),
      days.map((d) => d.date),
      data,
    );
    const last = days[days.length - 1]?.books[sid]?.equity;
    const matched = days.filter((d) => !d.recon.breaks.some((b) => b.strategies.includes(sid))).length;
    return row([
      h(sid),
      last === undefined ? '—' : cents(Money.parse(last)),
      pct(stats.totalReturn),
      pct(stats.maxDrawdown),
      pct(stats.annualisedVolatility),
      num(stats.sharpe),
      num(sortinoRatio(returns)),
      num(calmarRatio(returns)),
      ...fit,
      num(stats.turnover),
      String(trades.length),
      cents(traded),
      cents(fees),
      dividends(data.dividends?.books[sid]),
      slippageCell(trades),
      `${matched}/${days.length}`,
    ]);
  });
  const first = data.days[0]?.accountEquity;
  const last = data.days[data.days.length - 1]?.accountEquity;
  const change =
    first !== undefined && last !== undefined && Number(first) > 0
      ? Number(last) / Number(first) - 1
      : undefined;
  const account = row([
    '<strong>account</strong>',
    last === undefined ? '—' : cents(Money.parse(last)),
    pct(change),
    '',
    '',
    '',
    '',
    '',
    '',
    ...(data.benchmark ? ['', '', ''] : []),
    String(data.trades.length),
    cents(Money.sum(data.trades.map((t) => Money.parse(t.value).abs()))),
    cents(Money.sum(data.trades.map((t) => Money.parse(t.fees)))),
    dividends(data.dividends?.account),
    slippageCell(data.trades),
    `${data.days.filter((d) => d.recon.status === 'MATCH').length}/${data.days.length}`,
  ]);
  const benchmark = data.benchmark ? benchmarkRow(data.benchmark) : '';
  const header = row(
    [
      'strategy',
      'equity',
      'return',
      'max DD',
      'ann. vol',
      'Sharpe',
      'Sortino',
      'Calmar',
      ...(data.benchmark ? [`alpha (${h(data.benchmark.symbol)})`, 'beta', 'R²'] : []),
      'turnover',
      'trades',
      'traded value',
      'fees',
      'dividends',
      'slippage',
      'recon MATCH days',
    ],
    'th',
  );
  return `<table class="summary numeric" data-table="summary"><thead>${header}</thead><tbody>${rows.join('')}${account}${benchmark}</tbody></table>`;
}

/** How many of a run's strategies ended in each state, and how many of its trades are final. */
export function runCounts(day: ReportDay) {
  const s = day.run.strategies;
  const count = (status: string) => s.filter((x) => x.status === status).length;
  const orders = s.reduce((n, x) => n + x.orders, 0);
  const finalOrders = s.reduce((n, x) => n + x.finalOrders, 0);
  return {
    strategies: s.length,
    planned: s.filter((x) => x.status !== 'SKIPPED').length,
    traded: count('TRADED'),
    nothingToDo: count('NOTHING_TO_DO'),
    notDue: count('NOT_DUE'),
    failed: count('FAILED'),
    skipped: count('SKIPPED'),
    orders,
    finalOrders,
    suppressed: s.reduce((n, x) => n + x.suppressed, 0),
    allFinal: finalOrders === orders && day.run.missing.length === 0,
  };
}

function reconCell(day: ReportDay): string {
  const r = day.recon;
  const badge = `<span class="badge ${r.status === 'MATCH' ? 'ok' : r.status === 'BREAK' ? 'bad' : 'none'}">${h(r.status === 'NONE' ? 'not reconciled' : r.status)}</span>`;
  const breaks = r.breaks
    .map(
      (b) =>
        `<li>${h(b.status)} ${h(b.symbol)} (${h(b.unexplained)}; ${h(b.strategies.join(', ') || 'no book')})</li>`,
    )
    .join('');
  return breaks === '' ? badge : `${badge}<ul class="breaks">${breaks}</ul>`;
}

/** The strategy's targets, opening onto the decision trace behind them (`books explain`). */
function explained(s: ReportRunStrategy): string {
  if (s.targets === undefined || s.explain === undefined) return '';
  return `<details class="trace"><summary>targets: ${h(s.targets)}</summary><pre>${h(s.explain)}</pre></details>`;
}

function runDetails(day: ReportDay): string {
  if (day.run.strategies.length === 0 && day.run.missing.length === 0) return '';
  const items = day.run.strategies
    .map(
      (s) =>
        `<li>${h(s.strategyId)} <b>${h(s.status)}</b>${s.reason ? ` — ${h(s.reason)}` : ''} (${s.finalOrders}/${s.orders} orders final, ${s.suppressed} suppressed)${explained(s)}</li>`,
    )
    .join('');
  const missing = day.run.missing.map((m) => `<li class="missing">${h(m)}</li>`).join('');
  return `<details><summary>${day.run.strategies.length} strategies</summary><ul>${items}${missing}</ul></details>`;
}

/** One row per day: account equity, reconciliation (MATCH or its breaks) and the run's completeness. */
export function daysTable(days: readonly ReportDay[]): string {
  const header = row(
    [
      'date',
      'account equity',
      'reconciliation',
      'cash',
      'run',
      'completeness',
      'planned',
      'traded',
      'nothing to do (not due)',
      'failed',
      'skipped',
      'orders final',
      'suppressed',
      'strategies',
    ],
    'th',
  );
  const rows = days.map((d) => {
    const c = runCounts(d);
    const complete = d.run.completeness === 'COMPLETE';
    return `<tr data-date="${h(d.date)}" data-recon="${h(d.recon.status)}">${[
      h(d.date),
      h(cents(Money.parse(d.accountEquity))),
      reconCell(d),
      h(d.recon.cashStatus ?? '—'),
      h(d.run.runStatus),
      `<span class="badge ${complete ? 'ok' : d.run.completeness === 'NO RUN' ? 'none' : 'bad'}">${h(d.run.completeness)}</span>`,
      `${c.planned}/${c.strategies}`,
      String(c.traded),
      c.notDue > 0 ? `${c.nothingToDo} (${c.notDue} not due)` : String(c.nothingToDo),
      c.failed > 0 ? `<span class="badge bad">${c.failed}</span>` : '0',
      String(c.skipped),
      `${c.finalOrders}/${c.orders}${c.allFinal ? '' : ' <span class="badge bad">open</span>'}`,
      String(c.suppressed),
      runDetails(d),
    ]
      .map((x) => `<td>${x}</td>`)
      .join('')}</tr>`;
  });
  return `<table class="days" data-table="days"><thead>${header}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function options(values: readonly string[]): string {
  return [
    `<option value="">all</option>`,
    ...values.map((v) => `<option value="${h(v)}">${h(v)}</option>`),
  ].join('');
}

const distinct = (xs: readonly string[]) => [...new Set(xs)].sort();

/** The trades, one row each with its filter keys as data attributes; the filters above it. */
export function tradesTable(trades: readonly ReportTrade[]): string {
  const dates = trades.map((t) => t.date).sort();
  const first = dates[0] ?? '';
  const last = dates[dates.length - 1] ?? '';
  const filters = `<form class="filters" id="trade-filters" onsubmit="return false">
<label>strategy <select id="f-strategy">${options(distinct(trades.map((t) => t.strategyId)))}</select></label>
<label>symbol <select id="f-symbol">${options(distinct(trades.map((t) => t.symbol)))}</select></label>
<label>side <select id="f-side">${options(['buy', 'sell'])}</select></label>
<label>from <input type="date" id="f-from" min="${h(first)}" max="${h(last)}"></label>
<label>to <input type="date" id="f-to" min="${h(first)}" max="${h(last)}"></label>
<button type="reset" id="f-reset">clear</button>
<output id="trades-count">${trades.length} of ${trades.length} trades</output>
</form>`;
  const header = row(
    ['filled at', 'date', 'strategy', 'side', 'symbol', 'qty', 'price', 'value', 'fees', 'run'],
    'th',
  );
  const rows = trades.map(
    (t) =>
      `<tr data-strategy="${h(t.strategyId)}" data-symbol="${h(t.symbol)}" data-side="${h(t.side)}" data-date="${h(t.date)}">${[
        t.filledAt,
        t.date,
        t.strategyId,
        t.side.toUpperCase(),
        t.symbol,
        t.qty,
        t.price,
        t.value,
        t.fees,
        t.runId,
      ]
        .map((x) => `<td>${h(x)}</td>`)
        .join('')}</tr>`,
  );
  return `${filters}<table class="trades numeric" id="trades" data-table="trades"><thead>${header}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * The filters of the trades table, run in the page: a row is shown when it matches every chosen
 * filter (dates inclusive, compared as YYYY-MM-DD text). Reads only data attributes.
 */
export const TRADE_FILTER_SCRIPT = `(function () {
  var byId = function (id) { return document.getElementById(id); };
  var rows = Array.prototype.slice.call(document.querySelectorAll('#trades tbody tr'));
  var ids = ['f-strategy', 'f-symbol', 'f-side', 'f-from', 'f-to'];
  function apply() {
    var strategy = byId('f-strategy').value, symbol = byId('f-symbol').value, side = byId('f-side').value;
    var from = byId('f-from').value, to = byId('f-to').value, shown = 0;
    rows.forEach(function (r) {
      var d = r.dataset;
      var ok = (!strategy || d.strategy === strategy) && (!symbol || d.symbol === symbol) &&
        (!side || d.side === side) && (!from || d.date >= from) && (!to || d.date <= to);
      r.hidden = !ok;
      if (ok) shown++;
    });
    byId('trades-count').textContent = shown + ' of ' + rows.length + ' trades';
  }
  ids.forEach(function (id) { byId(id).addEventListener('input', apply); byId(id).addEventListener('change', apply); });
  byId('trade-filters').addEventListener('reset', function () { setTimeout(apply, 0); });
  apply();
})();`;
