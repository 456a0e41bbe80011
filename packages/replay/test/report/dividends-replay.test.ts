import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Money } from '@books/core';
import { ActivityRepository } from '@books/ledger-client';
import { ensureSampleBars, sampleCalendar } from '@books/local';
import { runReplay } from '../../src/replay/engine';
import { renderReport } from '../../src/report/render';
import { replayReportData } from '../../src/report/replay-report';
import { replayOptions } from '../replay/support';

/**
 * The sample data's SPY dividend (ex 2025-09-19, paid 2025-10-31) in a replay of the examples
 * over those days: the report's factsheet shows each holding book's share, and the account's, and
 * its equity charts the benchmark rebased beside the account and each book.
 */
describe('a report over a replay with a dividend', () => {
  jest.setTimeout(600_000);

  it('sums the dividend per book and for the account, shows both in the summary, and draws the rebased benchmark', async () => {
    // The project's sample bars (as `pnpm start` writes them, with their corporate actions).
    const bars = ensureSampleBars(mkdtempSync(join(tmpdir(), 'books-sample-'))).dir;
    const days = sampleCalendar().filter((d) => d >= '2025-09-17' && d <= '2025-10-31');
    const options = replayOptions('report-dividend', days, { data: bars });
    const result = await runReplay(options);
    expect(result.complete).toBe(true);
    const activities = await new ActivityRepository(result.services.table, result.services.books).list();
    const dividend = activities.find((a) => a.activityType === 'DIV');
    expect(dividend).toMatchObject({ symbol: 'SPY', date: '2025-10-31', outcome: 'posted', target: 'books' });

    const data = await replayReportData(result, { stage: options.stage, now: new Date() });
    const paid = Money.parse(dividend?.amount ?? '0');
    expect(paid.isPositive()).toBe(true);
    expect(data.dividends?.account).toBe(paid.toString());
    // The holders' shares add up to the account's dividend; the other books got none.
    const books = data.dividends?.books ?? {};
    expect(Object.keys(books).sort()).toEqual([...data.strategies].sort());
    expect(Money.sum(Object.values(books).map((b) => Money.parse(b))).toString()).toBe(paid.toString());
    for (const sid of data.strategies)
      expect(Money.parse(books[sid] ?? '0').isZero()).toBe(!(dividend?.books ?? []).some((b) => b === sid));

    const html = renderReport(data);
    const table = /<table class="summary numeric" data-table="summary">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    const headers = [...table.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1] ?? '');
    const account = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)]
      .map((m) => [...(m[1] ?? '').matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1] ?? ''))
      .find((r) => r[0]?.includes('account'));
    expect(account?.[headers.indexOf('dividends')]).toBe(paid.toCents().value.toFixed(2));
    // The benchmark (SPY, from the replay's bars) beside the account's and the books' equity.
    expect(html).toContain('<title>SPY (rebased)</title>');
    for (const sid of data.strategies) expect(html).toContain(`<title>SPY rebased to ${sid}</title>`);
  });
});
