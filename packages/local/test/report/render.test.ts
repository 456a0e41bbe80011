import { escapeHtml } from '../../src/report/escape';
import { renderReport } from '../../src/report/render';
import { accountDrawdown, bookDrawdown, chartSeries } from '../../src/report/series';
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

  it('axis ticks are round and cover the range, also for a flat series', () => {
    expect(niceTicks(0, 0.23)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25]);
    const flat = niceTicks(100000, 100000);
    expect(flat[0]).toBeLessThan(100000);
    expect(flat[flat.length - 1]).toBeGreaterThan(100000);
  });
});
