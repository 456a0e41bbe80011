import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LEGACY, Money, StrategyId } from '@books/core';
import { daysFrom } from '@books/testkit';
import { runReplay } from '../../src/replay/engine';
import { formatSummary } from '../../src/replay/summary';
import { renderReport } from '../../src/report/render';
import { replayReportData } from '../../src/report/replay-report';
import { replayOptions } from './support';

const DAYS = daysFrom('2024-09-16', 4);
const EXAMPLES = ['breakout', 'mean_reversion', 'momentum'];

describe('books replay --flow', () => {
  jest.setTimeout(300_000);

  it('--flow legacy runs every strategy in the merged flow: each day MATCH, legacy trades, attributed rows and a LEGACY row, resumable', async () => {
    const options = replayOptions('replay-legacy', DAYS, { flow: 'legacy' });
    const first = await runReplay({ ...options, maxDays: 2 });
    expect(first).toMatchObject({ complete: false, daysRun: 2, totalDays: 4 });
    const flagsFile = join(dirname(options.stateFile), `flow-flags.${options.stage}.json`);
    expect(JSON.parse(readFileSync(flagsFile, 'utf8'))).toEqual(
      Object.fromEntries(EXAMPLES.map((s) => [s, 'legacy'])),
    );

    const result = await runReplay(options);
    expect(result).toMatchObject({ complete: true, daysRun: 2, totalDays: 4 });
    const { summary, services, timings } = result;
    // The stages measured inside the state machine and the drain stay within them.
    expect(timings.dslMs).toBeGreaterThan(0);
    expect(timings.dslMs).toBeLessThanOrEqual(timings.planMs);
    expect(timings.planLedgerMs + timings.planQueueMs).toBeLessThanOrEqual(timings.planMs + 1);
    expect(timings.planLedgerMs).toBeGreaterThan(0);
    expect(timings.executionQueueMs).toBeGreaterThan(0);
    expect(summary.reconciliation.byDay.map((d) => d.status)).toEqual(Array(4).fill('MATCH'));

    const legacyTrades = await services.trades.listLegacy();
    expect(legacyTrades.length).toBeGreaterThan(0);
    for (const sid of EXAMPLES) expect(await services.trades.listByStrategy(StrategyId(sid))).toEqual([]);

    expect(summary.strategies.map((s) => [s.strategyId, s.attributed])).toEqual([
      ['breakout', true],
      ['mean_reversion', true],
      ['momentum', true],
      ['LEGACY', false],
    ]);
    const legacyRow = summary.strategies.find((s) => s.strategyId === LEGACY);
    expect(legacyRow?.trades).toBe(legacyTrades.length);
    // The attributed shares split the LEGACY book: their equities add up to it (to rounding).
    const shares = Money.sum(
      summary.strategies.filter((s) => s.attributed).map((s) => Money.parse(s.finalEquity)),
    );
    expect(
      shares
        .minus(Money.parse(legacyRow?.finalEquity ?? '0'))
        .abs()
        .value.toNumber(),
    ).toBeLessThan(0.05);
    expect(Number(legacyRow?.finalEquity)).toBeGreaterThan(0);
    for (const day of result.days)
      for (const sid of EXAMPLES) expect(day.strategies[sid]?.attributed).toBe(true);

    const table = formatSummary(summary);
    expect(table).toMatch(/^breakout \(attributed\)\s/m);
    expect(table).toMatch(/^LEGACY\s/m);
    expect(table).toContain('4/4 days MATCH');

    const html = renderReport(await replayReportData(result, { stage: options.stage, now: new Date() }));
    expect(html).toContain('LEGACY');
  });

  it('refuses to continue a stage replayed on another flow', async () => {
    const options = replayOptions('replay-flow-mismatch', DAYS.slice(0, 1), { flow: 'per-strategy' });
    const done = await runReplay(options);
    expect(done.summary.strategies.every((s) => !s.attributed)).toBe(true);
    expect(done.summary.strategies.map((s) => s.strategyId)).toEqual(EXAMPLES);
    await expect(runReplay({ ...options, args: { ...options.args, flow: 'legacy' } })).rejects.toThrow(
      /flow: per-strategy \(stored\) ≠ legacy \(now\)/,
    );
  });
});
