import { escapeHtml } from '../../src/report/escape';
import { renderReport } from '../../src/report/render';
import { accountDrawdown, bookDrawdown, chartSeries, rebased } from '../../src/report/series';
import { niceTicks } from '../../src/report/svg-chart';
import { FIXTURE, HOSTILE } from './fixture';

describe('the HTML report (pure rendering)', () => {
  const html = renderReport(FIXTURE);

  it('escapes every value taken from the data: strategy names, symbols, reasons, notes, title', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>markup');
    expect(html).not.toContain('A&B"C');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('A&amp;B&quot;C');
    expect(html).toContain('Fixture &lt;report&gt;');
    expect(html).toContain('reason with &lt;b&gt;markup&lt;/b&gt; &amp; &quot;quotes&quot;');
  });

  it('lists the trader controls’ changes, escaped, and no section when there were none', () => {
    const withControls = renderReport({
      ...FIXTURE,
      controls: [`2024-09-16T12:00:00.000Z pause momentum by ann: ${HOSTILE}`],
    });
    expect(withControls).toContain('<section id="controls"><h2>Trader controls</h2>');
    expect(withControls).toContain(`pause momentum by ann: ${escapeHtml(HOSTILE)}`);
    expect(html).not.toContain('id="controls"');
  });

  it('is self-contained: no external URL, one inline script, a CSP that forbids any fetch', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain("default-src 'none'");
  });

  it('draws the four charts, each with one series element per line or band', () => {
    const charts = [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">(.*?)<\/figure>/gs)];
    expect(charts.map((m) => m[1])).toEqual([
      'equity-account',
      'equity-strategies',
      'drawdown',
      'allocation',
    ]);
    const paths = (body: string) => (body.match(/<path class="series"/g) ?? []).length;
    expect(charts.map((m) => paths(m[2] ?? ''))).toEqual([1, 2, 3, 3]);
  });

  it('shows Sortino and Calmar beside Sharpe in the summary, with a cell for each in every row', () => {
    const table = /<table class="summary numeric" data-table="summary">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    const headers = [...table.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(headers.indexOf('Sharpe'), headers.indexOf('Sharpe') + 4)).toEqual([
      'Sharpe',
      'Sortino',
      'Calmar',
      'turnover',
    ]);
    const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)]
      .slice(1)
      .map((m) => (m[1] ?? '').match(/<td>/g)?.length);
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows)).toEqual(new Set([headers.length]));
  });

  it('measures each book against the benchmark (alpha, beta, R², and a benchmark row) and its fills against its plans (slippage)', () => {
    // The book moves twice the benchmark each day: 0, +2%, −2% against 0, +1%, −1%.
    const template = FIXTURE.days[0];
    const trade = FIXTURE.trades[0];
    if (!template || !trade) throw new Error('the fixture has days and trades');
    const day = (date: string, equity: string, flow: string) => ({
      ...template,
      date,
      accountEquity: equity,
      books: { alpha: { equity, flow } },
    });
    const measured = renderReport({
      ...FIXTURE,
      strategies: ['alpha'],
      days: [
        day('2024-01-02', '1000', '1000'),
        day('2024-01-03', '1020', '0'),
        day('2024-01-04', '999.6', '0'),
      ],
      trades: [
        { ...trade, strategyId: 'alpha', side: 'buy', qty: '10', price: '100.5', planPrice: '100' }, // costs 5
        { ...trade, strategyId: 'alpha', side: 'sell', qty: '4', price: '49', planPrice: '50' }, // costs 4
        { ...trade, strategyId: 'alpha', side: 'buy', qty: '3', price: '80' }, // no plan price: left out
      ],
      benchmark: { symbol: 'SPY', previousClose: '100', closes: ['100', '101', '99.99'] },
    });
    const table =
      /<table class="summary numeric" data-table="summary">(.*?)<\/table>/s.exec(measured)?.[1] ?? '';
    const headers = [...table.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1] ?? '');
    const cells = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
      [...(m[1] ?? '').matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1] ?? ''),
    );
    const book = cells.find((c) => c[0] === 'alpha') ?? [];
    const at = (name: string) => book[headers.indexOf(name)];
    expect([at('alpha (SPY)'), at('beta'), at('R²')]).toEqual(['0.00%', '2.00', '1.00']);
    expect(at('slippage')).toBe('9.00');
    const account = cells.find((c) => c[0]?.includes('account')) ?? [];
    expect(account[headers.indexOf('slippage')]).toBe('9.00');
    const benchmark = cells.find((c) => c[0]?.includes('benchmark SPY')) ?? [];
    // SPY: 100 → 99.99 over the days, −0.01%.
    expect(benchmark[headers.indexOf('return')]).toBe('-0.01%');
    expect(new Set(cells.slice(1).map((c) => c.length))).toEqual(new Set([headers.length]));
  });

  it('draws the benchmark rebased to the account’s and each book’s starting equity, dashed and labelled in the legend', () => {
    const template = FIXTURE.days[0];
    if (!template) throw new Error('the fixture has days');
    const day = (date: string, account: string, alpha: string | undefined) => ({
      ...template,
      date,
      accountEquity: account,
      books: Object.fromEntries(alpha === undefined ? [] : [['alpha', { equity: alpha, flow: '0' }]]),
    });
    // SPY 100 → 102 → 110: rebased to the account's 1000, 1000 → 1020 → 1100, the account's own
    // first and last values; the book is funded on the second day, its line starts there.
    const charted = renderReport({
      ...FIXTURE,
      strategies: ['alpha'],
      days: [
        day('2024-01-02', '1000', undefined),
        day('2024-01-03', '1050', '500'),
        day('2024-01-04', '1100', '560'),
      ],
      benchmark: { symbol: 'SPY', closes: ['100', '102', '110'] },
    });
    const figure = (id: string) =>
      new RegExp(`<figure class="chart" data-chart="${id}">(.*?)</figure>`, 's').exec(charted)?.[1] ?? '';
    const points = (body: string, series: string) => {
      const start = body.indexOf(`<g data-series="${escapeHtml(series)}"><path class="series" d="`);
      const d = start < 0 ? undefined : /d="([^"]+)"/.exec(body.slice(start))?.[1];
      return (d ?? '').split(/[ML]/).filter((p) => p !== '');
    };
    const account = figure('equity-account');
    const own = points(account, 'account');
    const bench = points(account, 'SPY (rebased)');
    expect(bench).toHaveLength(3);
    expect([bench[0], bench[2]]).toEqual([own[0], own[2]]);
    expect(bench[1]).not.toEqual(own[1]);
    expect(account).toContain('stroke-dasharray="6 4"><title>SPY (rebased)</title>');
    expect(account).toMatch(/<li><span class="swatch dashed"[^>]*><\/span>SPY \(rebased\)<\/li>/);
    const books = figure('equity-strategies');
    const book = points(books, 'alpha');
    const bookBench = points(books, 'SPY rebased to alpha');
    expect(bookBench).toHaveLength(2);
    expect(bookBench[0]).toEqual(book[0]);
    expect(books).toContain('SPY rebased to alpha</li>');
    // Without a benchmark, no second series.
    expect(html).not.toContain('rebased');
  });

  it('shows each book’s dividends and the account’s in the summary, — when none were collected', () => {
    const withDividends = renderReport({
      ...FIXTURE,
      dividends: { books: { alpha: '11.66', [HOSTILE]: '0' }, account: '14' },
    });
    const cellsOf = (page: string) => {
      const table =
        /<table class="summary numeric" data-table="summary">(.*?)<\/table>/s.exec(page)?.[1] ?? '';
      const headers = [...table.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1] ?? '');
      const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
        [...(m[1] ?? '').matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1] ?? ''),
      );
      return (first: string) => rows.find((r) => r[0]?.includes(first))?.[headers.indexOf('dividends')];
    };
    const dividends = cellsOf(withDividends);
    expect([dividends('alpha'), dividends(escapeHtml(HOSTILE)), dividends('account')]).toEqual([
      '11.66',
      '0.00',
      '14.00',
    ]);
    expect(cellsOf(html)('alpha')).toBe('—');
  });

  it('lists one trade row per trade with its filter keys, and one day row per day with its status', () => {
    expect(html.match(/<tr data-strategy=/g)).toHaveLength(4);
    expect(html).toContain('data-side="sell" data-date="2024-01-04"');
    expect(html.match(/<tr data-date="[^"]+" data-recon="MATCH"/g)).toHaveLength(2);
    expect(html).toContain('data-recon="BREAK"');
    expect(html).toContain('DRIFT A&amp;B&quot;C (3; alpha)');
    expect(html).toContain('alpha: BUY 3 SPY is SUBMITTED');
    expect(html).toContain('>STUCK<');
    expect(html).toContain('1/2 <span class="badge bad">open</span>');
  });
});

describe('report series', () => {
  it('account drawdown is the fall from the running peak', () => {
    expect(accountDrawdown([100, 110, 99, 120])).toEqual([0, 0, 0.1, 0]);
  });

  it('book drawdown excludes transfers: funding and a later top-up are not gains, a fall after them is', () => {
    const dd = bookDrawdown([
      { equity: 0, flow: 0 },
      { equity: 1000, flow: 1000 },
      { equity: 2100, flow: 1000 },
      { equity: 1890, flow: 0 },
    ]);
    expect(dd[0]).toBeUndefined();
    expect(dd[1]).toBe(0);
    expect(dd[2]).toBe(0);
    expect(dd[3]).toBeCloseTo(0.1, 10);
  });

  it('allocation is each book over the account, the rest unallocated; a book not yet funded has no share', () => {
    const s = chartSeries(FIXTURE);
    expect(s.books[0]?.share).toEqual([0.3, 30900 / 101000, 29500 / 99000]);
    expect(s.books[1]?.share[0]).toBeUndefined();
    expect(s.unallocated[0]).toBeCloseTo(0.7, 10);
  });

  it('a rebased benchmark starts at the first day with both an equity and a close, and skips days without a close', () => {
    expect(rebased(['50', '100', undefined, '120'], [undefined, 2000, 2100, 2500])).toEqual([
      undefined,
      2000,
      undefined,
      2400,
    ]);
    expect(rebased(['100', '110'], [undefined, undefined])).toEqual([undefined, undefined]);
  });

  it('axis ticks are round and cover the range, also for a flat series', () => {
    expect(niceTicks(0, 0.23)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25]);
    const flat = niceTicks(100000, 100000);
    expect(flat[0]).toBeLessThan(100000);
    expect(flat[flat.length - 1]).toBeGreaterThan(100000);
  });
});
