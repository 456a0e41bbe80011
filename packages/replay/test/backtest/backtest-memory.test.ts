import { join } from 'node:path';
import { createLogger, RunId, runIdOf, TradingDate } from '@books/core';
import { keys } from '@books/ledger-client';
import { daysFrom, STRATEGIES_DIR, sampleBarsDir } from '@books/testkit';
import { runBacktest } from '../../src/backtest/engine';

/** 45 trading days of the sample bars from 2024-03-01: longer than a published event's 30-day TTL. */
const DAYS = daysFrom('2024-03-01', 45);

describe('a backtest’s memory over many days', () => {
  jest.setTimeout(300_000);

  it('lets DynamoDB’s TTL delete published outbox events on the simulated clock, keeping the recent ones and every trade', async () => {
    const result = await runBacktest({
      args: {
        from: DAYS[0] ?? '',
        to: DAYS[DAYS.length - 1] ?? '',
        config: join(STRATEGIES_DIR, 'config.local.json'),
        data: sampleBarsDir(),
        initialCash: '100000',
      },
      logger: createLogger(
        { service: 'backtest-test' },
        { level: 'warn', destination: { write: () => true } },
      ),
    });
    expect(result.complete).toBe(true);
    const { table } = result.services;
    const eventsOf = async (date: string) =>
      table.queryAll({ partition: keys.outbox(RunId(runIdOf(result.stage, TradingDate(date)))) });
    const counts = await Promise.all(DAYS.map(async (d) => (await eventsOf(d)).length));
    const trades = result.days.map((d) => Object.values(d.strategies).reduce((n, s) => n + s.trades, 0));
    // The last day runs at 15:30 New York on DAYS[44]: events published 32 days before (30 of TTL,
    // 2 of DynamoDB's delay) are gone; those of the last 30 days are all kept.
    const last = Date.parse(`${DAYS[DAYS.length - 1]}T00:00:00Z`);
    const ageDays = (d: string) => (last - Date.parse(`${d}T00:00:00Z`)) / 86_400_000;
    const old = DAYS.map((d, i) => ({ d, i })).filter(({ d }) => ageDays(d) > 33);
    const recent = DAYS.map((d, i) => ({ d, i })).filter(({ d }) => ageDays(d) < 29);
    expect(old.reduce((n, { i }) => n + (trades[i] ?? 0), 0)).toBeGreaterThan(0);
    expect(old.map(({ i }) => counts[i])).toEqual(old.map(() => 0));
    expect(recent.map(({ i }) => counts[i])).toEqual(recent.map(({ i }) => trades[i]));
    // The trades themselves are the ledger's, never expired.
    expect(result.summary.strategies.reduce((n, s) => n + s.trades, 0)).toBe(
      trades.reduce((a, b) => a + b, 0),
    );
  });
});
