import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrategyId, TradingDate } from '@books/core';
import * as z from 'zod';
import { STRATEGIES_DIR, STRATEGY_IDS } from '../e2e/support';
import { expectInvariants, openScenario, played } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(99);

/**
 * The example strategies beside three that fail: a DSL syntax error, a symbol with no data, and
 * one whose worker runs out of time after it has recorded its plan and sent its orders.
 */
function strategiesWithFailures(): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-fault-strategies-'));
  for (const file of ['momentum.clj', 'mean_reversion.clj', 'breakout.clj'])
    copyFileSync(join(STRATEGIES_DIR, file), join(dir, file));
  writeFileSync(join(dir, 'bad_dsl.clj'), '(defsymphony "broken" {}\n (weight-equal [(asset "SPY")]\n');
  writeFileSync(
    join(dir, 'missing_data.clj'),
    '(defsymphony "no bars" {:asset-class "EQUITIES"}\n (weight-equal [(asset "NODATA" "no such bars")]))\n',
  );
  copyFileSync(join(STRATEGIES_DIR, 'momentum.clj'), join(dir, 'slow.clj'));
  const entry = (file: string, allocation: string) => ({
    file,
    allocation,
    flow: 'per-strategy',
    enabled: true,
  });
  writeFileSync(
    join(dir, 'config.faults.json'),
    JSON.stringify({
      capitalPolicy: { mode: 'drift', threshold: '0.10' },
      minTradeNotional: '1',
      runWindowMinutes: 30,
      onReconciliationBreak: 'block-strategy',
      strategies: [
        entry('momentum.clj', '0.25'),
        entry('mean_reversion.clj', '0.25'),
        entry('breakout.clj', '0.30'),
        entry('bad_dsl.clj', '0.05'),
        entry('missing_data.clj', '0.05'),
        entry('slow.clj', '0.05'),
      ],
    }),
  );
  return dir;
}

/** The Map hands a worker `{run, item}` (run-contract's MapWorkerEvent). */
const WorkerEvent = z.object({ item: z.object({ strategyId: z.string() }) });

/** Lambda's error when a function outlives its timeout. */
class WorkerTimedOut extends Error {
  constructor() {
    super('Task timed out after 120.00 seconds');
    this.name = 'Sandbox.Timedout';
  }
}

type Timeout = 'before the work' | 'after the work';
let timeout: Timeout = 'after the work';

describe(`fault injection: a strategy worker fails while the others proceed (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('a bad DSL file, a symbol without data and a worker timeout each fail alone, with a reason; the other books trade and every invariant holds', async () => {
    const failing = ['bad_dsl', 'missing_data', 'slow'].map((s) => StrategyId(s));
    const strategyIds = [...STRATEGY_IDS, ...failing];
    const s = await openScenario('fault-worker', SEED, {
      world: { strategiesDir: strategiesWithFailures(), configFile: 'config.faults.json' },
      inject: () => ({
        handler: (fn, handler) =>
          fn !== 'strategyWorker'
            ? handler
            : async (event) => {
                const slow = WorkerEvent.safeParse(event).data?.item.strategyId === 'slow';
                if (slow && timeout === 'before the work') throw new WorkerTimedOut();
                const result = await handler(event);
                if (slow && timeout === 'after the work') throw new WorkerTimedOut();
                return result;
              },
      }),
    });
    const days: [TradingDate, Timeout][] = [
      [TradingDate('2024-09-16'), 'after the work'],
      [TradingDate('2024-09-25'), 'before the work'],
    ];
    for (const [day, when] of days) {
      timeout = when;
      await s.world.runDay(day);
      const run = await s.world.services.runs.listRunItems(played(s, day));
      const status = new Map(run?.strategies.map((x) => [x.strategyId as string, x]) ?? []);
      for (const sid of ['bad_dsl', 'missing_data'])
        expect({ sid, status: status.get(sid)?.status }).toEqual({ sid, status: 'FAILED' });
      // Timed out after recording its plan and sending its orders: the plan stands and is executed.
      // Timed out before: the strategy fails for the day with the timeout as its reason.
      expect(status.get('slow')).toMatchObject(
        when === 'after the work'
          ? { status: 'PLANNED' }
          : { status: 'FAILED', error: expect.stringMatching(/timed out/) },
      );
      expect(status.get('bad_dsl')?.error).toMatch(/bad_dsl\.clj/);
      expect(status.get('missing_data')?.error).toMatch(/NODATA/);
      await expectInvariants(s, `worker failures on ${day}`, strategyIds);
    }
    const traded = await Promise.all(STRATEGY_IDS.map((sid) => s.world.services.trades.listByStrategy(sid)));
    expect(traded.every((t) => t.length > 0)).toBe(true);
    for (const sid of ['bad_dsl', 'missing_data'])
      expect(await s.world.services.trades.listByStrategy(StrategyId(sid))).toEqual([]);
    expect((await s.world.services.trades.listByStrategy(StrategyId('slow'))).length).toBeGreaterThan(0);
  });
});
