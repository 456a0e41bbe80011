import { Money } from '@books/core';
import { formatProgress, progressReporter } from '../../src/replay/progress';
import type { DayRecord } from '../../src/replay/state';
import { formatSummary, summarise } from '../../src/replay/summary';

function day(date: string, equity: string, transfers: string, ok = true): DayRecord {
  return {
    date,
    runId: `t-${date}`,
    runStatus: 'COMPLETED',
    drain: { delivered: 1, succeeded: 1, failed: 0 },
    recon: ok
      ? { ok: true, breaks: [], cashStatus: 'MATCH' }
      : {
          ok: false,
          breaks: [{ symbol: 'SPY', status: 'DRIFT', unexplained: '-1', strategies: ['s1'] }],
          cashStatus: 'MATCH',
        },
    strategies: {
      s1: { status: 'COMPLETED', equity, transfersTotal: transfers, trades: 1 },
      s2: { status: 'COMPLETED', equity: '100', transfersTotal: '100', trades: 0 },
    },
  };
}

describe('the replay summary', () => {
  const days = [
    day('2024-01-02', '100', '100'),
    day('2024-01-03', '110', '100'),
    day('2024-01-04', '99', '100', false),
  ];
  const summary = summarise(
    { from: '2024-01-02', to: '2024-01-04' },
    days,
    new Map([['s1', { count: 3, tradedValue: Money.parse('206'), fees: Money.parse('0.5') }]]),
  );

  it('computes a book funded with 100 that rises to 110 and falls to 99 as −1% with a 10% drawdown', () => {
    const [s1] = summary.strategies;
    expect(s1?.totalReturn).toBeCloseTo(-0.01, 12);
    expect(s1?.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(s1?.turnover).toBeCloseTo(2, 12);
    expect(s1).toMatchObject({ strategyId: 's1', trades: 3, fees: '0.50', finalEquity: '99.00' });
  });

  it('counts MATCH days for the account and per book (a break counts against the books holding its symbol)', () => {
    expect(summary.reconciliation).toMatchObject({ days: 3, matchDays: 2, breakDays: 1 });
    const text = formatSummary(summary);
    expect(text).toContain('reconciliation: 2/3 days MATCH, 1 with breaks');
    expect(text).toContain('2024-01-04 BREAK DRIFT SPY (-1; s1)');
    expect(summary.strategies.map((s) => [s.strategyId, s.reconMatchDays, s.reconDays])).toEqual([
      ['s1', 2, 3],
      ['s2', 3, 3],
    ]);
    expect(text).toMatch(/s2 .* 3\/3 MATCH/);
    expect(text).toMatch(/s1\s+-1\.00%\s+\S+\s+10\.00%/);
  });
});

describe('the replay summary of a book with a rebalance schedule', () => {
  it('counts the days it was not due and says so', () => {
    const notDue = (d: DayRecord): DayRecord => ({
      ...d,
      strategies: {
        ...d.strategies,
        s2: {
          status: 'NOT_DUE',
          equity: '100',
          transfersTotal: '100',
          trades: 0,
          notDue: 'rebalances weekly',
        },
      },
    });
    const days = [
      day('2024-01-02', '100', '100'),
      notDue(day('2024-01-03', '100', '100')),
      notDue(day('2024-01-04', '100', '100')),
    ];
    const summary = summarise({ from: '2024-01-02', to: '2024-01-04' }, days, new Map());
    expect(summary.strategies.map((s) => [s.strategyId, s.notDueDays])).toEqual([
      ['s1', 0],
      ['s2', 2],
    ]);
    const text = formatSummary(summary);
    expect(text).toContain('s2: not due on 2 of 3 days');
    expect(text).not.toContain('s1: not due');
  });
});

describe('the progress line', () => {
  it('shows days, trades, elapsed and an ETA from the mean day', () => {
    expect(
      formatProgress({ done: 5, total: 10, trades: 12, elapsedMs: 10_000, date: '2024-01-08' }, 10),
    ).toBe('[#####-----] 5/10 days  2024-01-08  trades 12  elapsed 10s  ETA 10s');
  });

  it('redraws in place on a TTY and writes about one line per 10% otherwise', () => {
    const tty: string[] = [];
    const log: string[] = [];
    const a = progressReporter({ isTTY: true, write: (t) => tty.push(t) });
    const b = progressReporter({ isTTY: false, write: (t) => log.push(t) });
    for (let done = 1; done <= 25; done++) {
      const p = { done, total: 25, trades: done, elapsedMs: done * 100, date: '2024-01-02' };
      a.update(p);
      b.update(p);
    }
    a.end();
    expect(tty).toHaveLength(26);
    expect(tty[0]?.startsWith('\r')).toBe(true);
    expect(log.length).toBeGreaterThanOrEqual(10);
    expect(log.length).toBeLessThanOrEqual(11);
    expect(log.every((l) => l.endsWith('\n'))).toBe(true);
  });
});
