import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIdOf, TradingDate } from '@books/core';
import { loadRunCompleteness } from '@books/operator';
import { periodOf } from '@books/portfolio';
import { daysFrom, STRATEGIES_DIR } from '@books/testkit';
import { runReplay } from '../../src/replay/engine';
import { renderReport } from '../../src/report/render';
import { replayReportData } from '../../src/report/replay-report';
import { replayOptions } from './support';

/** The examples, momentum set to `:rebalance-frequency :weekly` (its threshold stays its band). */
function weeklyMomentumConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-weekly-'));
  for (const f of ['mean_reversion.clj', 'breakout.clj', 'config.local.json'])
    copyFileSync(join(STRATEGIES_DIR, f), join(dir, f));
  const source = readFileSync(join(STRATEGIES_DIR, 'momentum.clj'), 'utf8');
  const weekly = source.replace(
    '{:asset-class "EQUITIES",',
    '{:asset-class "EQUITIES", :rebalance-frequency :weekly,',
  );
  if (weekly === source) throw new Error('momentum.clj has no config map to set the frequency in');
  writeFileSync(join(dir, 'momentum.clj'), weekly);
  return join(dir, 'config.local.json');
}

describe('a weekly strategy in a replay of the examples', () => {
  jest.setTimeout(600_000);

  it('trades only on the first trading day of each week, is NOT_DUE (and complete) the other days, every day reconciled MATCH', async () => {
    const days = daysFrom('2024-09-16', 13); // Monday 16 September … Wednesday 2 October
    const options = replayOptions('rebal-weekly', days, { config: weeklyMomentumConfig() });
    const result = await runReplay(options);
    expect(result.complete).toBe(true);
    expect(result.summary.reconciliation.byDay.map((d) => d.status)).toEqual(days.map(() => 'MATCH'));

    const firstOfWeek: string[] = days.filter(
      (d, i) => i === 0 || periodOf('weekly', d) !== periodOf('weekly', days[i - 1] ?? ''),
    );
    expect(firstOfWeek).toEqual(['2024-09-16', '2024-09-23', '2024-09-30']);
    const momentum = result.days.map((d) => ({ date: d.date, ...d.strategies.momentum }));
    for (const day of momentum) {
      if (firstOfWeek.includes(day.date)) {
        expect([day.date, day.status]).not.toEqual([day.date, 'NOT_DUE']);
      } else {
        expect([day.date, day.status, day.trades]).toEqual([day.date, 'NOT_DUE', 0]);
        expect(day.notDue).toMatch(
          /^rebalances weekly: already rebalanced in 2024-W\d\d on 2024-09-(16|23|30)$/,
        );
      }
    }
    // It invested on its first day; the examples without a frequency are planned every day.
    expect(momentum[0]?.trades).toBeGreaterThan(0);
    const dailyStatuses = result.days.flatMap((d) =>
      ['breakout', 'mean_reversion'].map((sid) => d.strategies[sid]?.status),
    );
    expect(dailyStatuses.filter((s) => s === 'NOT_DUE')).toEqual([]);
    expect(dailyStatuses).toHaveLength(days.length * 2);
    const summary = result.summary.strategies.find((s) => s.strategyId === 'momentum');
    expect(summary?.notDueDays).toBe(days.length - firstOfWeek.length);

    // `books runs` (run completeness): a not-due book is complete, with its reason.
    const tuesday = TradingDate('2024-09-17');
    const run = await loadRunCompleteness(result.services, runIdOf(options.stage, tuesday), new Date());
    expect(run?.status).toBe('COMPLETE');
    expect(run?.strategies.find((s) => s.strategyId === 'momentum')).toMatchObject({
      status: 'NOT_DUE',
      final: true,
      reason: 'not due: rebalances weekly: already rebalanced in 2024-W38 on 2024-09-16',
    });

    // The HTML report says it too.
    const html = renderReport(await replayReportData(result, { stage: options.stage, now: new Date() }));
    expect(html).toContain('not due: rebalances weekly: already rebalanced in 2024-W38 on 2024-09-16');
  });
});
