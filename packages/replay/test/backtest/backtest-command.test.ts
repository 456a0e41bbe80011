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
