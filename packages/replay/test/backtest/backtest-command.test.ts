import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtestCommand } from '@books/cli';
import { daysFrom, STRATEGIES_DIR, sampleBarsDir } from '@books/testkit';
import * as z from 'zod';

function capture(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), isTTY }, out, err };
}

const SummarySchema = z.object({
  days: z.number(),
  strategies: z.array(z.object({ strategyId: z.string(), trades: z.number() })),
  reconciliation: z.object({ matchDays: z.number(), breakDays: z.number() }),
});

describe('books backtest (the command)', () => {
  jest.setTimeout(300_000);
  const home = mkdtempSync(join(tmpdir(), 'books-backtest-cli-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const [from, , to] = daysFrom('2024-10-01', 3);
  const base = { from: from ?? '', to: to ?? '', data: sampleBarsDir(), cash: '100000', home };

  it('backtests strategy files funded equally, prints the summary as JSON and writes the HTML report, with no progress bar off a terminal', async () => {
    const c = capture(false);
    const report = join(home, 'backtest.html');
    const files = ['momentum.clj', 'breakout.clj'].map((f) => join(STRATEGIES_DIR, f));
    const code = await backtestCommand({ ...base, files, json: true, report }, c.io);
    expect(code).toBe(0);
    const summary = SummarySchema.parse(JSON.parse(c.out.join('')));
    expect(summary.days).toBe(3);
    expect(summary.strategies.map((s) => s.strategyId)).toEqual(['breakout', 'momentum']);
    expect(summary.reconciliation).toEqual(expect.objectContaining({ matchDays: 3, breakDays: 0 }));
    expect(readFileSync(report, 'utf8')).toContain(`Backtest ${from} … ${to}`);
    expect(c.err.join('')).not.toMatch(/\[[#-]+\]/);
  });

  it('draws the progress bar on a terminal', async () => {
    const c = capture(true);
    expect(await backtestCommand({ ...base, files: [], json: false }, c.io)).toBe(0);
    expect(c.err.join('')).toMatch(/\r\[#+\] 3\/3 days/);
    expect(c.out.join('')).toMatch(/^momentum\s/m);
  });

  it('applies the sample’s corporate actions unless --no-corporate-actions, reconciling MATCH either way', async () => {
    // breakout holds QQQ across its 2:1 split of 2025-08-20 (the sample's corporate actions): the
    // bars halve there, so only a book whose lots were split keeps its value.
    // No --data: the sample bars `pnpm start` writes, with their corporate actions.
    const { data: _testBars, ...rest } = base;
    const window = { ...rest, from: '2025-07-30', to: '2025-08-21', json: true };
    const files = [join(STRATEGIES_DIR, 'breakout.clj')];
    const finalEquity = async (corporateActions?: boolean) => {
      const c = capture(false);
      const args = { ...window, files, ...(corporateActions === undefined ? {} : { corporateActions }) };
      expect(await backtestCommand(args, c.io)).toBe(0);
      const summary = SummarySchema.extend({
        strategies: z.array(z.object({ strategyId: z.string(), finalEquity: z.string() })),
      }).parse(JSON.parse(c.out.join('')));
      expect(summary.reconciliation.breakDays).toBe(0);
      return Number(summary.strategies[0]?.finalEquity);
    };
    const applied = await finalEquity();
    const none = await finalEquity(false);
    expect(applied).toBeGreaterThan(0);
    expect(none).toBeLessThan(applied * 0.9);
  });

  it('refuses strategy files together with --config (exit 2) before running anything', async () => {
    const c = capture(false);
    const args = {
      ...base,
      files: [join(STRATEGIES_DIR, 'momentum.clj')],
      config: 'config.local.json',
      json: false,
    };
    expect(await backtestCommand(args, c.io)).toBe(2);
    expect(c.err.join('')).toContain('give strategy files or --config, not both');
  });
});
