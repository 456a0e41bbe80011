import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@books/core';
import { daysFrom, STRATEGIES_DIR, sampleBarsDir, uniqueName } from '@books/testkit';
import { type ReplayOptions, runReplay } from '../../src/replay/engine';
import type { ReplayArgs } from '../../src/replay/state';

const DAYS = daysFrom('2024-09-16', 5);
const FROM = DAYS[0] ?? '';
const TO = DAYS[DAYS.length - 1] ?? '';

function options(prefix: string, extra: Partial<ReplayOptions> = {}): ReplayOptions {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  const stage = uniqueName(prefix)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 28);
  const args: ReplayArgs = {
    from: FROM,
    to: TO,
    config: join(STRATEGIES_DIR, 'config.local.json'),
    data: sampleBarsDir(),
    initialCash: '100000',
  };
  return {
    endpoints: { dynamodb, sqs },
    stage,
    args,
    stateFile: join(mkdtempSync(join(tmpdir(), 'books-replay-')), `replay-${stage}.json`),
    logger: createLogger({ service: 'replay-test' }, { level: 'warn', destination: { write: () => true } }),
    ...extra,
  };
}

describe('books replay on the embedded stack', () => {
  jest.setTimeout(300_000);

  it('replays 5 trading days of the 3 example strategies, every day reconciled MATCH, and a resumed replay ends with the same summary', async () => {
    const progress: number[] = [];
    const whole = await runReplay(options('replay-whole', { onProgress: (p) => progress.push(p.done) }));
    expect(whole.complete).toBe(true);
    expect(whole.daysRun).toBe(5);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(whole.summary.days).toBe(5);
    expect(whole.summary.strategies.map((s) => s.strategyId)).toEqual([
      'breakout',
      'mean_reversion',
      'momentum',
    ]);
    expect(whole.summary.reconciliation).toMatchObject({ days: 5, matchDays: 5, breakDays: 0 });
    expect(whole.summary.reconciliation.byDay.map((d) => d.status)).toEqual(Array(5).fill('MATCH'));
    expect(whole.summary.strategies.reduce((n, s) => n + s.trades, 0)).toBeGreaterThan(0);
    for (const s of whole.summary.strategies) {
      expect(Number(s.finalEquity)).toBeGreaterThan(0);
      expect(Number.isFinite(s.totalReturn)).toBe(true);
    }

    const interrupted = options('replay-resumed');
    const first = await runReplay({ ...interrupted, maxDays: 3 });
    expect(first).toMatchObject({ complete: false, daysRun: 3, totalDays: 5 });
    const resumed = await runReplay(interrupted);
    expect(resumed).toMatchObject({ complete: true, daysRun: 2 });
    expect(resumed.summary).toEqual(whole.summary);

    const again = await runReplay(interrupted);
    expect(again).toMatchObject({ complete: true, daysRun: 0 });
    expect(again.summary).toEqual(whole.summary);
  });

  it('extends a completed replay when only --to moves later, and refuses a --to before its last day', async () => {
    const short = options('replay-extend');
    const [, second, third] = DAYS;
    if (!second || !third) throw new Error('no sample days');
    const first = await runReplay({ ...short, args: { ...short.args, to: second } });
    expect(first).toMatchObject({ complete: true, daysRun: 2, totalDays: 2 });
    const extended = await runReplay({ ...short, args: { ...short.args, to: third } });
    expect(extended).toMatchObject({ complete: true, daysRun: 1, totalDays: 3 });
    expect(extended.summary.reconciliation.byDay.map((d) => d.date)).toEqual(DAYS.slice(0, 3));
    await expect(runReplay({ ...short, args: { ...short.args, to: second } })).rejects.toThrow(
      /already replayed up to/,
    );
  });

  it('refuses to continue a stage with other arguments', async () => {
    const o = options('replay-args', { maxDays: 1 });
    await runReplay(o);
    await expect(runReplay({ ...o, args: { ...o.args, initialCash: '50000' } })).rejects.toThrow(
      /other arguments \(initialCash: 100000 \(stored\) ≠ 50000/,
    );
  });
});
