import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runReport } from '@books/cli';
import { createLogger, Money } from '@books/core';
import { daysFrom, STRATEGIES_DIR, STRATEGY_IDS, sampleBarsDir, uniqueName } from '@books/testkit';
import type { Browser, Page } from 'playwright-core';
import { type ReplayResult, runReplay } from '../../src/replay/engine';
import { ledgerDayInputs } from '../../src/report/ledger-days';
import { renderReport } from '../../src/report/render';
import { replayReportData } from '../../src/report/replay-report';
import { launchChromium } from './browser';
import { FIXTURE, HOSTILE } from './fixture';

const DAYS = daysFrom('2024-09-16', 4);
const dir = mkdtempSync(join(tmpdir(), 'books-report-'));

interface Replayed {
  readonly stage: string;
  readonly result: ReplayResult;
}

async function replay(): Promise<Replayed> {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  const stage = uniqueName('report')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 28);
  const result = await runReplay({
    endpoints: { dynamodb, sqs },
    stage,
    args: {
      from: DAYS[0] ?? '',
      to: DAYS[DAYS.length - 1] ?? '',
      config: join(STRATEGIES_DIR, 'config.local.json'),
      data: sampleBarsDir(),
      initialCash: '100000',
    },
    stateFile: join(dir, `replay-${stage}.json`),
    logger: createLogger({ service: 'report-test' }, { level: 'warn', destination: { write: () => true } }),
  });
  expect(result.complete).toBe(true);
  return { stage, result };
}

/** Opens the report from a file, failing on any request other than that file and on any page error. */
async function open(
  browser: Browser,
  html: string,
  name: string,
): Promise<{ page: Page; problems: string[] }> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console ${m.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

/** Per chart: how many series paths it has, and how many have a non-empty rendered bounding box. */
async function drawnPaths(page: Page) {
  const out: { chart: string | null; paths: number; drawn: number }[] = [];
  for (const figure of await page.locator('figure.chart').all()) {
    const paths = await figure.locator('svg path.series').all();
    const boxes = await Promise.all(paths.map((p) => p.boundingBox()));
    out.push({
      chart: await figure.getAttribute('data-chart'),
      paths: paths.length,
      drawn: boxes.filter((b) => b !== null && b.width > 0 && b.height > 0).length,
    });
  }
  return out;
}

const visibleTrades = (page: Page) => page.locator('#trades tbody tr:visible').count();

describe('the HTML report in headless Chromium', () => {
  jest.setTimeout(120_000);
  let browser: Browser;
  let replayed: Replayed;
  beforeAll(async () => {
    [browser, replayed] = await Promise.all([launchChromium(), replay()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders a 4-day replay of the example strategies: charts drawn, every trade listed, filters hide rows, every day MATCH and complete', async () => {
    const data = await replayReportData(replayed.result, {
      stage: replayed.stage,
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(data.days.map((d) => d.date)).toEqual(DAYS);
    expect(data.trades.length).toBeGreaterThan(0);
    const { page, problems } = await open(browser, renderReport(data), 'replay.html');

    const screenshot = join(dir, 'replay.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = readFileSync(screenshot);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.length).toBeGreaterThan(20_000);

    const charts = await drawnPaths(page);
    expect(charts.map((c) => c.chart)).toEqual([
      'equity-account',
      'equity-strategies',
      'drawdown',
      'allocation',
    ]);
    for (const c of charts) {
      expect(c.paths).toBeGreaterThan(0);
      expect(c).toEqual({ ...c, drawn: c.paths });
    }

    expect(await page.locator('#trades tbody tr').count()).toBe(data.trades.length);
    expect(await visibleTrades(page)).toBe(data.trades.length);
    const strategy = data.trades[0]?.strategyId ?? '';
    const ofStrategy = data.trades.filter((t) => t.strategyId === strategy).length;
    expect(ofStrategy).toBeLessThan(data.trades.length);
    await page.selectOption('#f-strategy', strategy);
    expect(await visibleTrades(page)).toBe(ofStrategy);
    expect(await page.locator('#trades-count').textContent()).toBe(
      `${ofStrategy} of ${data.trades.length} trades`,
    );
    await page.click('#f-reset');
    await page
      .locator('#trades-count')
      .filter({ hasText: `${data.trades.length} of` })
      .waitFor();
    const last = DAYS[DAYS.length - 1] ?? '';
    await page.fill('#f-from', last);
    expect(await visibleTrades(page)).toBe(data.trades.filter((t) => t.date >= last).length);

    // The factsheet columns beside Sharpe: a header each, and a value (or —) in every book's row.
    const summary = page.locator('table.summary');
    const headers = await summary.locator('thead th').allTextContents();
    expect(headers).toEqual(
      expect.arrayContaining(['Sharpe', 'Sortino', 'Calmar', 'alpha (SPY)', 'beta', 'R²', 'slippage']),
    );
    expect(await summary.locator('tbody tr', { hasText: 'benchmark SPY' }).count()).toBe(1);
    const sortino = headers.indexOf('Sortino');
    for (const r of await summary.locator('tbody tr').all())
      expect(await r.locator('td').count()).toBe(headers.length);
    const bookRow = summary.locator('tbody tr').first();
    expect(await bookRow.locator('td').nth(sortino).textContent()).toMatch(/^(-?\d+\.\d{2}|—)$/);
    // Every replayed trade has its run's plan: the account's slippage is a number of dollars.
    const accountRow = summary.locator('tbody tr', { hasText: 'account' });
    expect(await accountRow.locator('td').nth(headers.indexOf('slippage')).textContent()).toMatch(
      /^-?\d+\.\d{2}$/,
    );
    const days = page.locator('table.days tbody tr');
    expect(await days.count()).toBe(DAYS.length);
    expect(await page.locator('table.days tbody tr[data-recon="MATCH"]').count()).toBe(DAYS.length);
    expect(await page.locator('table.days td .badge', { hasText: 'COMPLETE' }).count()).toBe(DAYS.length);
    expect(await page.locator('table.days td .badge', { hasText: 'open' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('books report rebuilds from the ledger alone the same book and account equities the replay recorded each day', async () => {
    const { stage, result } = replayed;
    const strategyIds = STRATEGY_IDS;
    const rebuilt = await ledgerDayInputs(result.services, strategyIds, DAYS);
    expect(rebuilt.map((d) => d.date)).toEqual(result.days.map((d) => d.date));
    rebuilt.forEach((day, i) => {
      const recorded = result.days[i];
      expect(Money.parse(day.accountEquity ?? '').toCents()).toEqual(
        Money.parse(recorded?.accountEquity ?? '').toCents(),
      );
      for (const sid of strategyIds) {
        expect(Money.parse(day.books[sid]?.equity ?? '').toCents()).toEqual(
          Money.parse(recorded?.strategies[sid]?.equity ?? '').toCents(),
        );
        expect(day.books[sid]?.transfersTotal).toBe(recorded?.strategies[sid]?.transfersTotal);
      }
    });

    const out: string[] = [];
    const file = join(dir, 'ledger.html');
    const code = await runReport(
      {
        services: result.services,
        stage,
        strategyIds,
        calendar: DAYS,
        now: new Date('2026-01-01T00:00:00Z'),
      },
      { out: file, to: DAYS[DAYS.length - 1] ?? '' },
      { out: (t) => out.push(t), err: (t) => out.push(t) },
    );
    expect(out.join('')).toBe(
      `report: ${file} (${DAYS.length} days, ${result.summary.strategies.reduce((n, s) => n + s.trades, 0)} trades)\n`,
    );
    expect(code).toBe(0);
    const { page, problems } = await open(browser, readFileSync(file, 'utf8'), 'ledger-opened.html');
    expect(await page.locator('table.days tbody tr[data-recon="MATCH"]').count()).toBe(DAYS.length);
    expect((await drawnPaths(page)).every((c) => c.paths > 0 && c.drawn === c.paths)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows hostile strategy names, symbols and reasons as text, never as markup, and a BREAK day with its break', async () => {
    const { page, problems } = await open(browser, renderReport(FIXTURE), 'fixture.html');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('b', { hasText: 'markup' }).count()).toBe(0);
    expect(await page.locator('.legend li', { hasText: HOSTILE }).count()).toBeGreaterThan(0);
    expect(await page.locator('table.days tr[data-recon="BREAK"] .breaks').textContent()).toBe(
      'DRIFT A&B"C (3; alpha)',
    );
    await page.selectOption('#f-symbol', 'A&B"C');
    expect(await visibleTrades(page)).toBe(1);
    await page.selectOption('#f-symbol', '');
    await page.selectOption('#f-side', 'sell');
    expect(await visibleTrades(page)).toBe(1);
    await page.selectOption('#f-side', '');
    await page.fill('#f-to', '2024-01-02');
    expect(await visibleTrades(page)).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });
});
